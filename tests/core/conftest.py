"""The permission matrix's table, printed at the end of a normal test run (no -s needed)."""

from __future__ import annotations

from typing import Any

# Filled by tests/core/test_permission_matrix.py: role names, then one row per operation
# (label, {role: cell}) where a cell is the status code, or "leak!" when a sentinel leaked.
MATRIX: dict[str, Any] = {"roles": [], "rows": [], "leaks": 0}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    rows = MATRIX["rows"]
    if not rows:
        return
    roles = MATRIX["roles"]
    width = min(max(len(label) for label, _cells in rows), 90)
    write = terminalreporter.write_line
    terminalreporter.section("permission matrix (status per role; leak! = a sentinel leaked)")
    write(" " * width + " " + " ".join(f"{role[:9]:>9}" for role in roles))
    for label, cells in rows:
        text = label if len(label) <= width else label[: width - 1] + "…"
        write(f"{text:<{width}} " + " ".join(f"{str(cells.get(r, '')):>9}" for r in roles))
    write(
        f"matrix size: {len(roles)} roles × {len(rows)} operations = {len(roles) * len(rows)} "
        f"cells; leaks: {MATRIX['leaks']}"
    )
