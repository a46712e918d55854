"""MiniZinc data files (``.dzn``) of the B2B meeting scheduling benchmark, read into a
``ScheduleProblem``.

Only the subset of the data language those files use is understood: ``name = value;`` with
integers, sets (``{1, 2}``, ``{}``, ``1..3``), one-dimensional arrays of either, and the 2-d
array literal ``[| a, b, c | ... |]``; ``%`` starts a comment. Anything else is refused with the
line it is on, because a half-understood instance would be scheduled wrongly without a word.

Field meanings (see the benchmark's README): participants are ``1..nBusiness`` and meetings
``1..nMeetings`` (kept as the strings ``"1"``, ``"2"`` …, the ids the schedule uses),
``requested`` rows are ``participant, participant, session``, ``forbidden`` holds each
participant's unusable slots (``0`` is padding), ``fixed`` each meeting's slot (``0`` = free) and
``precedences`` the meetings that must come before each meeting (``0`` is padding). The redundant
``meetingsxBusiness`` (meetings shifted by +1, with 1 for "no meeting") and ``nMeetingsBusiness``
are checked against ``requested`` when present: a disagreement means the file is damaged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TypeGuard

from innobridge.optimize.schedule import Meeting, ScheduleProblem

Value = int | frozenset[int] | list["Value"] | list[list[int]]

_TOKEN = re.compile(
    r"(?P<space>\s+)|(?P<comment>%[^\n]*)|(?P<open>\[\|)|(?P<close>\|\])|(?P<range>\.\.)"
    r"|(?P<int>-?\d+)|(?P<name>[A-Za-z_]\w*)|(?P<sym>.)",
    re.S,
)
REQUIRED = ("nBusiness", "nMeetings", "nTables", "nTotalSlots", "nMorningSlots", "requested")


class DznError(ValueError):
    """The file is not a B2B instance this reader understands; the message says where."""


@dataclass(frozen=True)
class B2BInstance:
    """A benchmark instance: the problem, and meeting ids in the order of ``requested``."""

    problem: ScheduleProblem
    meeting_ids: list[str]
    n_business: int


def read_dzn(path: Path, *, fairness: int | None = 2) -> B2BInstance:
    """Read ``path`` into a problem with the given fairness bound (the files do not hold one)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DznError(f"{path}: cannot read: {error}") from None
    return parse_b2b(text, fairness=fairness, name=str(path))


def parse_b2b(text: str, *, fairness: int | None = 2, name: str = "<dzn>") -> B2BInstance:
    """The instance in ``text`` (see the module docstring), checked for consistency."""
    fields = parse_assignments(text, name)
    missing = [key for key in REQUIRED if key not in fields]
    if missing:
        raise DznError(f"{name}: missing {', '.join(missing)}")
    n_business, n_meetings, n_tables, n_slots, n_morning = (
        _int(fields, key, name) for key in REQUIRED[:5]
    )
    if min(n_business, n_meetings, n_tables, n_slots, n_morning) < 0 or n_morning > n_slots:
        raise DznError(f"{name}: sizes must be ≥ 0 and nMorningSlots ≤ nTotalSlots")
    raw = fields["requested"]
    rows = [row for row in raw if _is_int_row(row, 3)] if isinstance(raw, list) else []
    if not isinstance(raw, list) or len(rows) != len(raw):
        raise DznError(f"{name}: requested must be a 2-d array of rows 'participant, participant, session'")  # fmt: skip
    if len(rows) != n_meetings:
        raise DznError(f"{name}: requested has {len(rows)} rows but nMeetings = {n_meetings}")
    meetings_of: list[list[int]] = [[] for _ in range(n_business)]
    for number, (a, b, session) in enumerate(rows, 1):
        if not (1 <= a <= n_business and 1 <= b <= n_business) or a == b:
            raise DznError(f"{name}: meeting {number} has participants {a}, {b}; need two different ones in 1..{n_business}")  # fmt: skip
        if session not in (1, 2, 3):
            raise DznError(f"{name}: meeting {number} has session {session}; need 1, 2 or 3")
        meetings_of[a - 1].append(number)
        meetings_of[b - 1].append(number)

    forbidden_sets = _sets(fields, "forbidden", n_business, name)
    fixed = _ints(fields, "fixed", n_meetings, name) or [0] * n_meetings
    precedence_sets = _sets(fields, "precedences", n_meetings, name)
    counts = _ints(fields, "nMeetingsBusiness", n_business, name)
    shifted = _sets(fields, "meetingsxBusiness", n_business, name)
    for p in range(n_business):
        if counts is not None and counts[p] != len(meetings_of[p]):
            raise DznError(f"{name}: nMeetingsBusiness says participant {p + 1} has {counts[p]} meetings, requested lists {len(meetings_of[p])}")  # fmt: skip
        if shifted is not None and set(shifted[p]) - {1} != {m + 1 for m in meetings_of[p]}:
            raise DznError(f"{name}: meetingsxBusiness for participant {p + 1} disagrees with requested")  # fmt: skip

    forbidden: dict[str, set[int]] = {}
    for p, slots in enumerate(forbidden_sets or []):
        used = {s for s in slots if s != 0}
        if not all(1 <= s <= n_slots for s in used):
            raise DznError(f"{name}: forbidden slots of participant {p + 1} must be in 1..{n_slots} (0 = padding)")  # fmt: skip
        if used:
            forbidden[str(p + 1)] = used
    meetings = []
    for number, ((a, b, session), slot) in enumerate(zip(rows, fixed, strict=True), 1):
        if not 0 <= slot <= n_slots:
            raise DznError(f"{name}: fixed slot {slot} of meeting {number} is not in 0..{n_slots}")
        meetings.append(Meeting(str(number), str(a), str(b), session, slot or None))
    precedences: dict[str, set[str]] = {}
    for number, before in enumerate(precedence_sets or [], 1):
        used = {m for m in before if m != 0}
        if not all(1 <= m <= n_meetings for m in used):
            raise DznError(f"{name}: precedences of meeting {number} must be meetings in 1..{n_meetings} (0 = padding)")  # fmt: skip
        if used:
            precedences[str(number)] = {str(m) for m in sorted(used)}
    problem = ScheduleProblem(
        n_slots=n_slots, n_morning=n_morning, n_tables=n_tables, meetings=meetings,
        forbidden=forbidden, precedences=precedences, fairness=fairness,
        participants=[str(p + 1) for p in range(n_business)],
    )  # fmt: skip
    return B2BInstance(problem, [m.id for m in meetings], n_business)


def parse_assignments(text: str, name: str = "<dzn>") -> dict[str, Value]:
    """Every ``name = value;`` of the data file, values as ints, frozensets and lists."""
    tokens = _Tokens(text, name)
    fields: dict[str, Value] = {}
    while not tokens.at_end():
        key = tokens.expect_name()
        tokens.expect("=")
        value = _value(tokens)
        tokens.expect(";")
        if key in fields:
            raise tokens.error(f"{key} is assigned twice")
        fields[key] = value
    return fields


class _Tokens:
    def __init__(self, text: str, name: str) -> None:
        self.name = name
        self.items: list[tuple[str, str, int]] = []  # (kind, text, line)
        line = 1
        for match in _TOKEN.finditer(text):
            kind, token = match.lastgroup or "sym", match.group()
            if kind in ("space", "comment"):
                line += token.count("\n")
            else:
                self.items.append((kind, token, line))
        self.index = 0

    def at_end(self) -> bool:
        return self.index >= len(self.items)

    def peek(self) -> tuple[str, str]:
        if self.at_end():
            return ("end", "end of file")
        kind, text, _line = self.items[self.index]
        return kind, text

    def take(self) -> tuple[str, str]:
        item = self.peek()
        self.index += 1
        return item

    def error(self, message: str) -> DznError:
        line = self.items[min(self.index, len(self.items) - 1)][2] if self.items else 1
        return DznError(f"{self.name} line {line}: {message}")

    def expect(self, symbol: str) -> None:
        if self.peek()[1] != symbol:
            raise self.error(f"expected '{symbol}', found '{self.peek()[1]}'")
        self.index += 1

    def expect_name(self) -> str:
        kind, text = self.peek()
        if kind != "name":
            raise self.error(f"expected a field name, found '{text}'")
        self.index += 1
        return text

    def expect_int(self) -> int:
        kind, text = self.peek()
        if kind != "int":
            raise self.error(f"expected an integer, found '{text}'")
        self.index += 1
        return int(text)


def _value(tokens: _Tokens) -> Value:
    kind, text = tokens.peek()
    if kind == "int":
        start = tokens.expect_int()
        if tokens.peek()[0] == "range":
            tokens.take()
            return frozenset(range(start, tokens.expect_int() + 1))
        return start
    if text == "{":
        tokens.take()
        members: set[int] = set()
        while tokens.peek()[1] != "}":
            low = tokens.expect_int()
            high = low
            if tokens.peek()[0] == "range":
                tokens.take()
                high = tokens.expect_int()
            members.update(range(low, high + 1))
            if tokens.peek()[1] != "}":
                tokens.expect(",")
        tokens.take()
        return frozenset(members)
    if kind == "open":
        tokens.take()
        rows: list[list[int]] = []
        while tokens.peek()[0] != "close":
            row = [tokens.expect_int()]
            while tokens.peek()[1] == ",":
                tokens.take()
                if tokens.peek()[0] == "int":
                    row.append(tokens.expect_int())
            rows.append(row)
            if tokens.peek()[1] == "|":
                tokens.take()
            elif tokens.peek()[0] != "close":
                raise tokens.error(f"expected '|' or '|]', found '{tokens.peek()[1]}'")
        tokens.take()
        return rows
    if text == "[":
        tokens.take()
        items: list[Value] = []
        while tokens.peek()[1] != "]":
            items.append(_value(tokens))
            if tokens.peek()[1] != "]":
                tokens.expect(",")
        tokens.take()
        return items
    raise tokens.error(f"unexpected '{text}'")


def _is_int_row(row: object, width: int) -> TypeGuard[list[int]]:
    return _is_ints(row) and len(row) == width


def _is_ints(value: object) -> TypeGuard[list[int]]:
    return isinstance(value, list) and all(type(v) is int for v in value)


def _is_sets(value: object) -> TypeGuard[list[frozenset[int]]]:
    return isinstance(value, list) and all(isinstance(v, frozenset) for v in value)


def _int(fields: dict[str, Value], key: str, name: str) -> int:
    value = fields[key]
    if not isinstance(value, int):
        raise DznError(f"{name}: {key} must be an integer")
    return value


def _ints(fields: dict[str, Value], key: str, length: int, name: str) -> list[int] | None:
    if key not in fields:
        return None
    value = fields[key]
    if not _is_ints(value):
        raise DznError(f"{name}: {key} must be an array of integers")
    if len(value) != length:
        raise DznError(f"{name}: {key} has {len(value)} entries, expected {length}")
    return value


def _sets(fields: dict[str, Value], key: str, length: int, name: str) -> list[frozenset[int]] | None:  # fmt: skip
    if key not in fields:
        return None
    value = fields[key]
    if not _is_sets(value):
        raise DznError(f"{name}: {key} must be an array of sets")
    if len(value) != length:
        raise DznError(f"{name}: {key} has {len(value)} sets, expected {length}")
    return value
