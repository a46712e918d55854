"""The rules file: one YAML document per year, validated when it is loaded.

A rules file lists programmes (科技型中小企业, 高新技术企业, …) with their conditions and score
tables, and the tier ladder (引领 → 瞪羚 → 跃升 → 育苗) derived from them. Conditions are data —
a metric, a comparison and a threshold, combined with ``all``/``any`` — never code: nothing in
the file is evaluated. A bad file fails at load time with the path of the offending key
(``programs.tsme.conditions.2.op: …``).

Condition nodes::

    {name, name_en, metric, op, value}                  compare a metric with a fixed value
    {name, name_en, metric, op, threshold_by: {by, bands}}  threshold chosen by another metric
    {name, name_en, program: tsme}                      another (earlier) programme qualifies
    {name?, name_en?, all: [...]} / {any: [...]}        groups (three-valued logic)

Any node may say ``pending: true`` (no verified official number; shown as such on screen) and
carry a ``note``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    model_validator,
)

from innobridge.cultivation.tiers.metrics import METRICS

PACKAGE_RULES_DIR = Path(__file__).resolve().parent.parent / "rules"

# Programmes every rules file must define (the ``tiers evaluate`` output contract).
REQUIRED_PROGRAMS: tuple[str, ...] = (
    "tsme",
    "hnte",
    "innovative_sme",
    "srdi",
    "little_giant",
    "gazelle",
    "gazelle_candidate",
    "unicorn",
    "potential_unicorn",
    "yumiao",
    "future_eagle",
)

Compare = Literal[">=", ">", "<=", "<", "==", "!="]
Op = Literal[">=", ">", "<=", "<", "==", "!=", "contains", "not_contains", "in", "not_in"]
Scalar = float | int | bool | str


class RulesError(ValueError):
    """The rules file is invalid; the message names the file and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Band(_Strict):
    """One row of a score table: the first row whose comparison holds gives its points."""

    op: Compare = ">="
    value: float
    points: float
    metric: str | None = None  # defaults to the table's metric


class ScoreTable(_Strict):
    metric: str
    bands: list[Band] = Field(min_length=1)


class ScorePart(_Strict):
    """A component of a programme's score: a table, the best of several, or a direct input."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    label_en: str
    max: float = Field(gt=0)
    metric: str | None = None
    bands: list[Band] | None = None
    best_of: list[ScoreTable] | None = None
    direct: bool = False  # points = the metric's value, clipped to [0, max]
    group: str | None = Field(None, pattern=r"^[a-z][a-z0-9_]*$")  # subtotal ``part.<group>``
    pending: bool = False
    note: str = ""
    note_en: str = ""

    @model_validator(mode="after")
    def _one_kind(self) -> ScorePart:
        kinds = [self.bands is not None, self.best_of is not None, self.direct]
        if sum(kinds) != 1:
            raise ValueError("give exactly one of bands, best_of or direct: true")
        if (self.bands is not None or self.direct) and self.metric is None:
            raise ValueError("bands and direct need a metric")
        return self


class ThresholdBand(_Strict):
    op: Compare | None = None  # None: the fallback row (must be last)
    value: float | None = None
    threshold: float
    label: str = ""
    label_en: str = ""


class ThresholdBy(_Strict):
    by: str
    bands: list[ThresholdBand] = Field(min_length=1)

    @model_validator(mode="after")
    def _fallback_last(self) -> ThresholdBy:
        for index, band in enumerate(self.bands):
            if (band.op is None) != (band.value is None):
                raise ValueError(f"bands.{index}: give both op and value, or neither (fallback)")
            if band.op is None and index != len(self.bands) - 1:
                raise ValueError(f"bands.{index}: the fallback row must be the last one")
        return self


class Leaf(_Strict):
    name: str
    name_en: str
    metric: str
    op: Op
    value: Scalar | list[str] | None = None
    threshold_by: ThresholdBy | None = None
    pending: bool = False
    note: str = ""
    note_en: str = ""

    @model_validator(mode="after")
    def _threshold(self) -> Leaf:
        if (self.value is None) == (self.threshold_by is None):
            raise ValueError("give exactly one of value or threshold_by")
        if self.op in ("in", "not_in") and not isinstance(self.value, list):
            raise ValueError(f"op {self.op} needs a list value")
        if self.threshold_by is not None and self.op not in (">=", ">", "<=", "<"):
            raise ValueError("threshold_by works with >=, >, <=, <")
        return self


class ProgramRef(_Strict):
    name: str
    name_en: str
    program: str
    pending: bool = False
    note: str = ""
    note_en: str = ""


class Group(_Strict):
    name: str = ""
    name_en: str = ""
    all: list[Node] | None = None
    any: list[Node] | None = None
    pending: bool = False
    note: str = ""
    note_en: str = ""

    @model_validator(mode="after")
    def _one_kind(self) -> Group:
        if (self.all is None) == (self.any is None):
            raise ValueError("a group has exactly one of all or any")
        if not (self.all or self.any):
            raise ValueError("a group needs at least one condition")
        return self


def _node_kind(data: Any) -> str:
    if isinstance(data, dict):
        if "all" in data or "any" in data:
            return "group"
        if "program" in data:
            return "program"
        return "leaf"
    return "group" if isinstance(data, Group) else "program" if isinstance(data, ProgramRef) else "leaf"  # fmt: skip


Node = Annotated[
    Annotated[Leaf, Tag("leaf")] | Annotated[ProgramRef, Tag("program")] | Annotated[Group, Tag("group")],
    Discriminator(_node_kind),
]  # fmt: skip
Group.model_rebuild()


class Program(_Strict):
    label: str
    label_en: str
    source: str = ""
    source_en: str = ""
    pending: bool = False
    note: str = ""
    note_en: str = ""
    score: list[ScorePart] | None = None
    conditions: list[Node] = Field(min_length=1)


class Tier(_Strict):
    key: str
    label_en: str
    description: str = ""
    description_en: str = ""
    pending: bool = False
    note: str = ""
    note_en: str = ""
    when: list[Node] = Field(min_length=1)


class Support(_Strict):
    """One year of a programme cohort's support: how many firms, how much each (万元)."""

    year: int = Field(ge=1, le=10)
    firms: int = Field(ge=0)
    amount: float = Field(ge=0)


class Roster(_Strict):
    """A named list (研发型企业库, 未来之鹰) of enterprises meeting ``when``; a roster may also
    be a cohort with yearly support (育苗计划)."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    label_en: str
    description: str = ""
    description_en: str = ""
    pending: bool = False
    note: str = ""
    note_en: str = ""
    when: list[Node] = Field(min_length=1)
    support: list[Support] = []
    support_cap: float | None = None


class Watch(_Strict):
    margin: float = Field(0.10, gt=0, le=1)


class Rules(_Strict):
    year: int = Field(ge=2000, le=2100)
    title: str
    title_en: str
    programs: dict[str, Program]
    tiers: list[Tier] = Field(min_length=1)  # highest first
    rosters: list[Roster] = []
    watch: Watch = Watch()

    @model_validator(mode="after")
    def _references(self) -> Rules:
        problems: list[str] = []
        missing = [key for key in REQUIRED_PROGRAMS if key not in self.programs]
        if missing:
            problems.append(f"programs: missing {', '.join(missing)}")
        seen: list[str] = []
        for key, program in self.programs.items():
            parts = {part.key for part in program.score or ()}
            parts |= {part.group for part in program.score or () if part.group}
            if program.score is not None:
                parts.add("")  # the programme's own ``score`` metric
            for index, part in enumerate(program.score or ()):
                for metric, where in _part_metrics(part):
                    if metric not in METRICS:
                        problems.append(f"programs.{key}.score.{index}.{where}: unknown metric {metric!r}")  # fmt: skip
            for index, node in enumerate(program.conditions):
                _check_node(node, f"programs.{key}.conditions.{index}", seen, parts, problems)
            seen.append(key)
        labels = [tier.key for tier in self.tiers]
        if len(set(labels)) != len(labels):
            problems.append("tiers: the same key appears twice")
        for index, tier in enumerate(self.tiers):
            for position, node in enumerate(tier.when):
                _check_node(node, f"tiers.{index}.when.{position}", seen, set(), problems)
        for index, roster in enumerate(self.rosters):
            for position, node in enumerate(roster.when):
                _check_node(node, f"rosters.{index}.when.{position}", seen, set(), problems)
        if len({roster.key for roster in self.rosters}) != len(self.rosters):
            problems.append("rosters: the same key appears twice")
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _part_metrics(part: ScorePart) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if part.metric is not None:
        found.append((part.metric, "metric"))
    for index, band in enumerate(part.bands or ()):
        if band.metric is not None:
            found.append((band.metric, f"bands.{index}.metric"))
    for index, table in enumerate(part.best_of or ()):
        found.append((table.metric, f"best_of.{index}.metric"))
        for position, band in enumerate(table.bands):
            if band.metric is not None:
                found.append((band.metric, f"best_of.{index}.bands.{position}.metric"))
    return found


def _check_node(node: Any, path: str, programs: list[str], parts: set[str], problems: list[str]) -> None:  # fmt: skip
    if isinstance(node, Group):
        for index, child in enumerate(node.all or node.any or ()):
            _check_node(child, f"{path}.{'all' if node.all else 'any'}.{index}", programs, parts, problems)  # fmt: skip
    elif isinstance(node, ProgramRef):
        if node.program not in programs:
            problems.append(f"{path}.program: {node.program!r} is not a programme defined above")
    else:
        for metric, where in ((node.metric, "metric"), (node.threshold_by.by if node.threshold_by else None, "threshold_by.by")):  # fmt: skip
            if metric is None:
                continue
            if metric == "score" and "" not in parts:
                problems.append(f"{path}.{where}: 'score' needs a score table in this programme")
            elif metric.startswith("part."):
                if metric[5:] not in parts:
                    problems.append(f"{path}.{where}: this programme has no score part {metric[5:]!r}")  # fmt: skip
            elif metric not in METRICS:
                problems.append(f"{path}.{where}: unknown metric {metric!r}")


def _format_error(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        loc = ".".join(str(p) for p in item["loc"] if p not in ("leaf", "program", "group"))
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"{loc}: {message}" if loc else message)
    return "; ".join(lines)


def parse_rules(text: str, source: str = "<rules>") -> Rules:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RulesError(f"{source}: not valid YAML ({error})") from None
    if not isinstance(data, dict):
        raise RulesError(f"{source}: the file must be a mapping with year, programs and tiers")
    try:
        return Rules.model_validate(data)
    except ValidationError as error:
        raise RulesError(f"{source}: {_format_error(error)}") from None


def load_rules(path: Path) -> Rules:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RulesError(f"{path}: cannot read ({error.strerror})") from None
    return parse_rules(text, str(path))


def rules_path(year: int, directories: list[Path] | None = None) -> Path:
    """The rules file for ``year``: that year's file, else the latest earlier one, else the
    earliest; directories are searched in order (an override directory before the package)."""
    for directory in directories or [PACKAGE_RULES_DIR]:
        files = {int(p.stem): p for p in directory.glob("*.yaml") if p.stem.isdigit()}
        if not files:
            continue
        if year in files:
            return files[year]
        earlier = [y for y in files if y < year]
        return files[max(earlier)] if earlier else files[min(files)]
    raise RulesError(f"no rules file (YYYY.yaml) in {', '.join(map(str, directories or [PACKAGE_RULES_DIR]))}")  # fmt: skip
