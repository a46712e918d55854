"""Where the platform finds a year's rules file, and the compiled engine for it.

A deployment may override the shipped rules by putting ``YYYY.yaml`` into
``INNOBRIDGE_DATA_DIR/rules/`` (officials edit that file, not code); the files shipped in
``innobridge/cultivation/rules/`` are the defaults. Engines are cached per file and reloaded
when the file changes; the digest of the file is stored with every evaluation, so a changed
rule re-evaluates the enterprises the next time they are looked at.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from innobridge.cultivation.tiers.engine import Engine
from innobridge.cultivation.tiers.rules import PACKAGE_RULES_DIR, load_rules, rules_path


def rules_directories() -> list[Path]:
    override = Path(settings.DATA_DIR) / "rules"
    if override.is_dir() and any(override.glob("*.yaml")):
        return [override, PACKAGE_RULES_DIR]
    return [PACKAGE_RULES_DIR]


def rules_file_for(year: int) -> Path:
    return rules_path(year, rules_directories())


def engine_for(year: int) -> tuple[Engine, str]:
    """The compiled engine for ``year`` and the digest of its rules file."""
    path = rules_file_for(year)
    stat = path.stat()
    return _engine(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _engine(path: str, mtime: int, size: int) -> tuple[Engine, str]:
    data = Path(path).read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:16]
    return Engine(load_rules(Path(path))), digest
