"""Evaluate one enterprise for one year against a rules file, explaining every condition.

Three-valued logic: a condition passes (True), fails (False) or cannot be judged because a figure
is unknown (None, naming the figure). ``all`` fails as soon as one part fails and is unknown
while a part is unknown; ``any`` passes as soon as one part passes. A programme qualifies when
all its top-level conditions hold.

Every node also gets a *gap*: how far (relative to the threshold) the enterprise is from passing
it — 0 when it passes, the largest gap of an ``all`` group, the smallest of an ``any`` group,
infinity for a condition that is not a number or is unknown. The watchlist is built from it:
an enterprise within ``watch.margin`` (10%) of a programme or a higher tier, with the failed
conditions on its closest path ("what it lacks").

The validated rules are compiled once into spec objects (``Engine``); evaluating an enterprise
creates only small result objects that point back to their spec for names and units.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from innobridge.cultivation.tiers.metrics import METRICS, Context, Enterprise, Missing
from innobridge.cultivation.tiers.rules import Band, Group, Leaf, ProgramRef, Rules, ScorePart

INF = math.inf
_UNSET = object()

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
    "contains": lambda value, item: item in value,
    "not_contains": lambda value, item: item not in value,
    "in": lambda value, items: value in items,
    "not_in": lambda value, items: value not in items,
}


def compare(op: str, value: Any, threshold: Any) -> bool:
    return bool(_COMPARE[op](value, threshold))


def relative_gap(op: str, value: Any, threshold: Any) -> float:
    """How far a failed numeric comparison is from passing, relative to the threshold."""
    if (
        value.__class__ not in (int, float)
        or threshold.__class__ not in (int, float)
        or threshold == 0
    ):
        return INF
    if op in (">=", ">"):
        distance = threshold - value
    elif op in ("<=", "<"):
        distance = value - threshold
    else:
        return INF
    return max(distance / abs(threshold), 1e-9)


# -- results -----------------------------------------------------------------------------------
class Condition:
    """One judged condition: the actual value, the threshold, and whether it passed."""

    __slots__ = ("spec", "value", "threshold", "passed", "gap", "missing", "band", "ref")

    def __init__(
        self,
        spec: LeafSpec | RefSpec,
        value: Any,
        threshold: Any,
        passed: bool | None,
        gap: float,
        missing: tuple[str, ...] = (),
        band: int = -1,
    ) -> None:
        self.spec = spec
        self.value = value
        self.threshold = threshold
        self.passed = passed
        self.gap = gap
        self.missing = missing
        self.band = band
        self.ref: ProgramResult | None = None  # for "programme X qualifies": its result

    name = property(lambda self: self.spec.name)
    name_en = property(lambda self: self.spec.name_en)
    full_name = property(lambda self: self.spec.full_name)
    full_name_en = property(lambda self: self.spec.full_name_en)
    metric = property(lambda self: self.spec.metric)
    op = property(lambda self: self.spec.op)
    unit = property(lambda self: self.spec.unit)
    pending = property(lambda self: self.spec.pending)
    note = property(lambda self: self.spec.note)

    @property
    def band_label(self) -> str:
        return self.spec.bands[self.band][3] if self.band >= 0 else ""

    @property
    def band_label_en(self) -> str:
        return self.spec.bands[self.band][4] if self.band >= 0 else ""

    def __repr__(self) -> str:
        return f"<Condition {self.full_name} {self.value!r} {self.op} {self.threshold!r} → {self.passed}>"  # fmt: skip


class GroupResult:
    __slots__ = ("spec", "passed", "gap", "children")

    def __init__(
        self, spec: GroupSpec, passed: bool | None, gap: float, children: list[Node]
    ) -> None:
        self.spec = spec
        self.passed = passed
        self.gap = gap
        self.children = children

    name = property(lambda self: self.spec.name)
    name_en = property(lambda self: self.spec.name_en)
    mode = property(lambda self: "all" if self.spec.is_all else "any")
    pending = property(lambda self: self.spec.pending)
    note = property(lambda self: self.spec.note)


Node = Condition | GroupResult


@dataclass(slots=True)
class PartResult:
    key: str
    label: str
    label_en: str
    points: float | None
    max: float
    value: Any
    unit: str
    pending: bool
    missing: tuple[str, ...] = ()


@dataclass(slots=True)
class ProgramResult:
    key: str
    label: str
    label_en: str
    qualifies: bool | None
    score: float | None
    gap: float
    nodes: list[Node]
    parts: list[PartResult] = field(default_factory=list)
    pending: bool = False
    source: str = ""
    note: str = ""

    @property
    def conditions(self) -> list[Condition]:
        """Every leaf condition in order (``full_name`` carries the group prefix)."""
        return list(_leaves(self.nodes))

    @property
    def missing(self) -> list[str]:
        return sorted({f for c in _leaves(self.nodes) for f in c.missing})

    @property
    def lacking(self) -> list[Condition]:
        """The failed conditions on the closest path to qualifying."""
        return list(_lacking(self.nodes))


@dataclass(slots=True)
class TierResult:
    key: str
    label_en: str
    description: str
    description_en: str
    passed: bool | None
    gap: float
    nodes: list[Node]
    pending: bool

    @property
    def lacking(self) -> list[Condition]:
        return list(_lacking(self.nodes))


@dataclass(slots=True)
class Near:
    """A programme or higher tier the enterprise is close to (0 < gap ≤ margin)."""

    kind: str  # program | tier
    key: str
    gap: float
    lacking: list[Condition]


@dataclass(slots=True)
class Evaluation:
    id: str | int
    year: int
    rules_year: int
    tier: str | None
    programs: dict[str, ProgramResult]
    tiers: list[TierResult]
    margin: float
    rosters: dict[str, TierResult] = field(default_factory=dict)

    @property
    def near(self) -> list[Near]:
        """Higher tiers and unmet programmes within the watch margin, closest first."""
        found: list[Near] = []
        for tier in self.tiers:
            if tier.key == self.tier:
                break  # only tiers above the current one
            if 0 < tier.gap <= self.margin:
                found.append(Near("tier", tier.key, tier.gap, tier.lacking))
        for key, result in self.programs.items():
            if not result.qualifies and 0 < result.gap <= self.margin:
                found.append(Near("program", key, result.gap, result.lacking))
        return sorted(found, key=lambda near: near.gap)


def _leaves(nodes: list[Node]) -> Iterator[Condition]:
    for node in nodes:
        if node.__class__ is Condition:
            yield node
        else:
            yield from _leaves(node.children)  # type: ignore[union-attr]


def _lacking(nodes: list[Node]) -> Iterator[Condition]:
    for node in nodes:
        if node.passed:
            continue
        if isinstance(node, Condition):
            if node.ref is not None:
                yield from node.ref.lacking  # what the referenced programme lacks
            else:
                yield node
        elif node.spec.is_all:
            yield from _lacking(node.children)
        else:
            yield from _lacking([min(node.children, key=lambda child: child.gap)])


def combine(is_all: bool, nodes: list[Node]) -> tuple[bool | None, float]:
    if is_all:
        passed: bool | None = True
        gap = 0.0
        for node in nodes:
            if node.passed is False:
                passed = False
            elif node.passed is None and passed is True:
                passed = None
            if node.gap > gap:
                gap = node.gap
        return passed, gap
    passed = False
    gap = INF
    for node in nodes:
        if node.passed:
            return True, 0.0
        if node.passed is None:
            passed = None
        if node.gap < gap:
            gap = node.gap
    return passed, gap


# -- compiled specs ----------------------------------------------------------------------------
class LeafSpec:
    __slots__ = ("name", "name_en", "full_name", "full_name_en", "metric", "op", "cmp",
                 "value", "by", "bands", "unit", "pending", "note", "contains")  # fmt: skip

    def __init__(self, leaf: Leaf, prefix: str, prefix_en: str) -> None:
        self.name, self.name_en = leaf.name, leaf.name_en
        self.full_name, self.full_name_en = prefix + leaf.name, prefix_en + leaf.name_en
        self.metric, self.op, self.cmp = leaf.metric, leaf.op, _COMPARE[leaf.op]
        self.value = leaf.value
        self.unit = METRICS[leaf.metric].unit if leaf.metric in METRICS else "points"
        self.pending, self.note = leaf.pending, leaf.note
        self.contains = leaf.op in ("contains", "not_contains")
        self.by = leaf.threshold_by.by if leaf.threshold_by else None
        self.bands = [
            (_COMPARE[b.op] if b.op else None, b.value, b.threshold, b.label, b.label_en)
            for b in (leaf.threshold_by.bands if leaf.threshold_by else ())
        ]

    def run(self, ctx: Context, results: dict[str, ProgramResult]) -> Condition:
        value = ctx.values.get(self.metric, _UNSET)
        if value is _UNSET:
            value = ctx.lookup(self.metric)
        threshold = self.value
        if self.by is None and value.__class__ is not Missing:  # the common case
            passed = self.cmp(value, threshold)
            if self.contains:
                value = threshold in value
            if passed:
                return Condition(self, value, threshold, True, 0.0)
            return Condition(self, value, threshold, False, relative_gap(self.op, value, threshold))  # fmt: skip
        band = -1
        missing: tuple[str, ...] = ()
        if value.__class__ is Missing:
            missing, value = value.fields, None
        if self.by is not None:
            by = ctx.lookup(self.by)
            if by.__class__ is Missing:
                missing += by.fields
            else:
                for index, (cmp, limit, chosen, _label, _label_en) in enumerate(self.bands):
                    if cmp is None or cmp(by, limit):
                        threshold, band = chosen, index
                        break
        if missing:
            return Condition(self, value, threshold, None, INF, missing, band)
        passed = bool(self.cmp(value, threshold))
        if passed:
            return Condition(self, value, threshold, True, 0.0, (), band)
        return Condition(self, value, threshold, False, relative_gap(self.op, value, threshold), (), band)  # fmt: skip


class RefSpec:
    __slots__ = ("name", "name_en", "full_name", "full_name_en", "program", "pending", "note")
    metric = property(lambda self: f"program.{self.program}")
    op = "=="
    unit = "bool"
    bands: list[Any] = []

    def __init__(self, ref: ProgramRef, prefix: str, prefix_en: str) -> None:
        self.name, self.name_en = ref.name, ref.name_en
        self.full_name, self.full_name_en = prefix + ref.name, prefix_en + ref.name_en
        self.program, self.pending, self.note = ref.program, ref.pending, ref.note

    def run(self, ctx: Context, results: dict[str, ProgramResult]) -> Condition:
        result = results[self.program]
        qualifies = result.qualifies
        missing = tuple(result.missing) if qualifies is None else ()
        condition = Condition(self, qualifies, True, qualifies, 0.0 if qualifies else result.gap, missing)  # fmt: skip
        condition.ref = result
        return condition


class GroupSpec:
    __slots__ = ("name", "name_en", "is_all", "children", "pending", "note")

    def __init__(self, group: Group, prefix: str, prefix_en: str) -> None:
        self.name, self.name_en = group.name, group.name_en
        self.is_all = group.all is not None
        self.pending, self.note = group.pending, group.note
        inner = f"{prefix}{group.name}：" if group.name else prefix
        inner_en = f"{prefix_en}{group.name_en}: " if group.name_en else prefix_en
        self.children = [compile_node(n, inner, inner_en) for n in (group.all or group.any or ())]

    def run(self, ctx: Context, results: dict[str, ProgramResult]) -> GroupResult:
        children = [child.run(ctx, results) for child in self.children]
        passed, gap = combine(self.is_all, children)
        return GroupResult(self, passed, gap, children)


Spec = LeafSpec | RefSpec | GroupSpec


def compile_node(node: Any, prefix: str = "", prefix_en: str = "") -> Spec:
    if isinstance(node, Group):
        return GroupSpec(node, prefix, prefix_en)
    if isinstance(node, ProgramRef):
        return RefSpec(node, prefix, prefix_en)
    return LeafSpec(node, prefix, prefix_en)


def _band_points(bands: list[Band], default_metric: str | None, ctx: Context) -> float:
    for band in bands:
        value = ctx.get(band.metric or default_metric or "")  # Missing: no earlier band decided
        if _COMPARE[band.op](value, band.value):
            return band.points
    return 0.0


def score_part(part: ScorePart, ctx: Context) -> PartResult:
    """Points for one score component (None when a figure it needs is unknown)."""
    points: float | None
    missing: tuple[str, ...] = ()
    shown_metric = part.metric or (part.best_of[0].metric if part.best_of else None)
    value = ctx.lookup(shown_metric) if shown_metric else None
    if value.__class__ is Missing:
        value = None
    unit = METRICS[shown_metric].unit if shown_metric else "points"
    try:
        if part.direct:
            points = min(max(float(ctx.get(part.metric or "")), 0.0), part.max)
        elif part.bands is not None:
            points = _band_points(part.bands, part.metric, ctx)
        else:
            known: list[float] = []
            for table in part.best_of or ():
                try:
                    known.append(_band_points(table.bands, table.metric, ctx))
                except Missing as error:
                    missing += error.fields
            best = max(known, default=0.0)
            points = None if missing and best < part.max else best
    except Missing as error:
        points, missing = None, missing + error.fields
    return PartResult(
        part.key, part.label, part.label_en, points, part.max, value, unit, part.pending,
        () if points is not None else tuple(dict.fromkeys(missing)),
    )  # fmt: skip


class _ProgramSpec:
    __slots__ = ("key", "program", "nodes", "groups")

    def __init__(self, key: str, rules: Rules) -> None:
        self.key = key
        self.program = rules.programs[key]
        self.nodes = [compile_node(node) for node in self.program.conditions]
        self.groups: dict[str, list[str]] = {}
        for part in self.program.score or ():
            if part.group:
                self.groups.setdefault(part.group, []).append(part.key)


class Engine:
    """A validated rules file compiled for evaluation (stateless: reuse it)."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.margin = rules.watch.margin
        self.programs = [_ProgramSpec(key, rules) for key in rules.programs]
        self.tiers = [(tier, [compile_node(node) for node in tier.when]) for tier in rules.tiers]
        self.rosters = [(r, [compile_node(node) for node in r.when]) for r in rules.rosters]

    def evaluate(self, enterprise: Enterprise, year: int) -> Evaluation:
        ctx = Context(enterprise, year)
        values = ctx.values
        results: dict[str, ProgramResult] = {}
        for spec in self.programs:
            program = spec.program
            parts: list[PartResult] = []
            score: float | None = None
            if program.score is not None:
                parts = [score_part(part, ctx) for part in program.score]
                by_key = {}
                for part in parts:
                    by_key[part.key] = part
                    values["part." + part.key] = (
                        part.points if part.points is not None else Missing(part.missing)
                    )
                for group, keys in spec.groups.items():
                    unknown = [f for k in keys for f in by_key[k].missing]
                    values["part." + group] = (
                        Missing(unknown)
                        if unknown
                        else sum(by_key[k].points or 0.0 for k in keys)  # fmt: skip
                    )
                unknown = [f for part in parts for f in part.missing]
                score = None if unknown else sum(part.points or 0.0 for part in parts)
                values["score"] = Missing(sorted(set(unknown))) if unknown else score
            nodes = [node.run(ctx, results) for node in spec.nodes]
            qualifies, gap = combine(True, nodes)
            results[spec.key] = ProgramResult(
                spec.key, program.label, program.label_en, qualifies, score, gap, nodes, parts,
                program.pending, program.source, program.note,
            )  # fmt: skip
        tiers: list[TierResult] = []
        tier: str | None = None
        for tier_spec, specs in self.tiers:
            nodes = [node.run(ctx, results) for node in specs]
            passed, gap = combine(True, nodes)
            tiers.append(
                TierResult(tier_spec.key, tier_spec.label_en, tier_spec.description,
                           tier_spec.description_en, passed, gap, nodes, tier_spec.pending)
            )  # fmt: skip
            if passed and tier is None:
                tier = tier_spec.key
        rosters: dict[str, TierResult] = {}
        for roster, specs in self.rosters:
            nodes = [node.run(ctx, results) for node in specs]
            passed, gap = combine(True, nodes)
            rosters[roster.key] = TierResult(
                roster.key, roster.label_en, roster.description, roster.description_en, passed,
                gap, nodes, roster.pending,
            )  # fmt: skip
        return Evaluation(
            enterprise.id, year, self.rules.year, tier, results, tiers, self.margin, rosters
        )
