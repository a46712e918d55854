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
from innobridge.cultivation.tiers.rules import (
    Band,
    Group,
    Leaf,
    Program,
    ProgramRef,
    Rules,
    ScorePart,
)

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


class PartResult:
    """Points for one score part; names come from the rules file's part."""

    __slots__ = ("part", "points", "value", "unit", "missing")

    def __init__(self, part: ScorePart, points: float | None, value: Any, unit: str, missing: tuple[str, ...] = ()) -> None:  # fmt: skip
        self.part, self.points, self.value, self.unit, self.missing = (
            part,
            points,
            value,
            unit,
            missing,
        )

    key = property(lambda self: self.part.key)
    label = property(lambda self: self.part.label)
    label_en = property(lambda self: self.part.label_en)
    max = property(lambda self: self.part.max)
    pending = property(lambda self: self.part.pending)


class _Block:
    """A compiled condition list (a programme's, a tier's or a roster's) and its run plan."""

    __slots__ = ("specs", "top", "plan", "leaves")

    def __init__(self, nodes: list[Any], counter: list[int]) -> None:
        self.specs: list[Spec] = [compile_node(node) for node in nodes]
        self.plan: list[Spec] = []
        for spec in self.specs:
            _number(spec, counter, self.plan)
        self.top = [spec.index for spec in self.specs]
        self.leaves = [spec for spec in self.plan if not isinstance(spec, GroupSpec)]


def _number(spec: Spec, counter: list[int], plan: list[Spec]) -> None:
    """Give every node an index in the evaluation arrays; children come before their group."""
    if isinstance(spec, GroupSpec):
        for child in spec.children:
            _number(child, counter, plan)
        spec.child_indices = [child.index for child in spec.children]
    spec.index = counter[0]
    counter[0] += 1
    plan.append(spec)


class _State:
    """Every node's verdict for one evaluation, in flat arrays indexed by ``spec.index``."""

    __slots__ = ("value", "threshold", "passed", "gap", "missing", "band", "results")

    def __init__(self, size: int) -> None:
        self.value: list[Any] = [None] * size
        self.threshold: list[Any] = [None] * size
        self.passed: list[bool | None] = [None] * size
        self.gap: list[float] = [0.0] * size
        self.missing: list[tuple[str, ...]] = [()] * size
        self.band: list[int] = [-1] * size
        self.results: dict[str, ProgramResult] = {}

    def node(self, spec: Spec) -> Node:
        """The explanation object of one node (built on demand)."""
        i = spec.index
        if isinstance(spec, GroupSpec):
            children = [self.node(child) for child in spec.children]
            return GroupResult(spec, self.passed[i], self.gap[i], children)
        condition = Condition(
            spec, self.value[i], self.threshold[i], self.passed[i], self.gap[i],
            self.missing[i], self.band[i],
        )  # fmt: skip
        if isinstance(spec, RefSpec):
            condition.ref = self.results[spec.program]
        return condition


class _Explained:
    """Shared by programme, tier and roster results: lazily built explanation tree."""

    __slots__ = ()
    _block: _Block
    _state: _State

    @property
    def nodes(self) -> list[Node]:
        return [self._state.node(spec) for spec in self._block.specs]

    @property
    def conditions(self) -> list[Condition]:
        """Every leaf condition in order (``full_name`` carries the group prefix)."""
        state = self._state
        return [state.node(spec) for spec in self._block.leaves]  # type: ignore[misc]

    @property
    def lacking(self) -> list[Condition]:
        """The failed conditions on the closest path to qualifying."""
        return list(_lacking(self.nodes))


class ProgramResult(_Explained):
    __slots__ = ("key", "program", "qualifies", "score", "gap", "parts", "_block", "_state")

    def __init__(
        self, key: str, program: Program, qualifies: bool | None, score: float | None,
        gap: float, parts: list[PartResult], block: _Block, state: _State,
    ) -> None:  # fmt: skip
        self.key, self.program = key, program
        self.qualifies, self.score, self.gap, self.parts = qualifies, score, gap, parts
        self._block, self._state = block, state

    label = property(lambda self: self.program.label)
    label_en = property(lambda self: self.program.label_en)
    pending = property(lambda self: self.program.pending)
    source = property(lambda self: self.program.source)
    note = property(lambda self: self.program.note)

    @property
    def missing(self) -> list[str]:
        """The unknown figures behind this programme's unknown conditions."""
        state = self._state
        found: set[str] = set()
        for spec in self._block.leaves:
            found.update(state.missing[spec.index])
        return sorted(found)


class TierResult(_Explained):
    __slots__ = ("spec", "passed", "gap", "_block", "_state")

    def __init__(self, spec: Any, passed: bool | None, gap: float, block: _Block, state: _State) -> None:  # fmt: skip
        self.spec, self.passed, self.gap = spec, passed, gap
        self._block, self._state = block, state

    key = property(lambda self: self.spec.key)
    label_en = property(lambda self: self.spec.label_en)
    description = property(lambda self: self.spec.description)
    description_en = property(lambda self: self.spec.description_en)
    pending = property(lambda self: self.spec.pending)


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
                 "value", "by", "bands", "unit", "pending", "note", "contains", "index",
                 "numeric", "ge")  # fmt: skip

    def __init__(self, leaf: Leaf, prefix: str, prefix_en: str) -> None:
        self.name, self.name_en = leaf.name, leaf.name_en
        self.full_name, self.full_name_en = prefix + leaf.name, prefix_en + leaf.name_en
        self.metric, self.op, self.cmp = leaf.metric, leaf.op, _COMPARE[leaf.op]
        self.value: Any = leaf.value
        self.unit = METRICS[leaf.metric].unit if leaf.metric in METRICS else "points"
        self.pending, self.note = leaf.pending, leaf.note
        self.contains = leaf.op in ("contains", "not_contains")
        self.by = leaf.threshold_by.by if leaf.threshold_by else None
        self.bands = [
            (_COMPARE[b.op] if b.op else None, b.value, b.threshold, b.label, b.label_en)
            for b in (leaf.threshold_by.bands if leaf.threshold_by else ())
        ]
        self.index = -1
        self.numeric = leaf.op in (">=", ">", "<=", "<")
        self.ge = leaf.op in (">=", ">")


class RefSpec:
    __slots__ = (
        "name",
        "name_en",
        "full_name",
        "full_name_en",
        "program",
        "pending",
        "note",
        "index",
    )
    metric = property(lambda self: f"program.{self.program}")
    op = "=="
    unit = "bool"
    bands: list[Any] = []

    def __init__(self, ref: ProgramRef, prefix: str, prefix_en: str) -> None:
        self.name, self.name_en = ref.name, ref.name_en
        self.full_name, self.full_name_en = prefix + ref.name, prefix_en + ref.name_en
        self.program, self.pending, self.note = ref.program, ref.pending, ref.note
        self.index = -1


class GroupSpec:
    __slots__ = (
        "name",
        "name_en",
        "is_all",
        "children",
        "pending",
        "note",
        "index",
        "child_indices",
    )

    def __init__(self, group: Group, prefix: str, prefix_en: str) -> None:
        self.name, self.name_en = group.name, group.name_en
        self.is_all = group.all is not None
        self.pending, self.note = group.pending, group.note
        inner = f"{prefix}{group.name}：" if group.name else prefix
        inner_en = f"{prefix_en}{group.name_en}: " if group.name_en else prefix_en
        self.children = [compile_node(n, inner, inner_en) for n in (group.all or group.any or ())]
        self.index = -1
        self.child_indices: list[int] = []


Spec = LeafSpec | RefSpec | GroupSpec


def compile_node(node: Any, prefix: str = "", prefix_en: str = "") -> Spec:
    if isinstance(node, Group):
        return GroupSpec(node, prefix, prefix_en)
    if isinstance(node, ProgramRef):
        return RefSpec(node, prefix, prefix_en)
    return LeafSpec(node, prefix, prefix_en)


def _band_points(bands: list[Band], default_metric: str | None, ctx: Context) -> float:
    """The points of the first band whose comparison holds (Missing: no earlier band decided)."""
    default: Any = _UNSET
    for band in bands:
        if band.metric is None:
            if default is _UNSET:
                default = ctx.get(default_metric or "")
            value = default
        else:
            value = ctx.get(band.metric)
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
    return PartResult(part, points, value, unit, () if points is not None else tuple(dict.fromkeys(missing)))  # fmt: skip


def compile_part(part: ScorePart) -> Callable[[Context], PartResult]:
    """A score part as one function; a plain band table takes a fast path (no exceptions)."""
    if part.bands is None or part.metric is None:
        return lambda ctx: score_part(part, ctx)
    metric = part.metric
    unit = METRICS[metric].unit
    bands = [(band.metric, _COMPARE[band.op], band.value, band.points) for band in part.bands]

    def run(ctx: Context) -> PartResult:
        values = ctx.values
        value = values.get(metric, _UNSET)
        if value is _UNSET:
            value = ctx.lookup(metric)
        if value.__class__ is Missing:
            return score_part(part, ctx)
        points = 0.0
        for other, cmp, limit, band_points in bands:
            candidate = value
            if other is not None:
                candidate = values.get(other, _UNSET)
                if candidate is _UNSET:
                    candidate = ctx.lookup(other)
                if candidate.__class__ is Missing:
                    return score_part(part, ctx)
            if cmp(candidate, limit):
                points = band_points
                break
        return PartResult(part, points, value, unit)

    return run


class Engine:
    """A validated rules file compiled for evaluation (stateless: reuse it).

    Every condition of every programme, tier and roster gets an index; evaluating an
    enterprise runs each block's plan (children before their group) filling flat arrays, and
    the explanation objects are built from those arrays only when someone reads them.
    """

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.margin = rules.watch.margin
        counter = [0]
        self.programs: list[tuple[str, Program, _Block, dict[str, list[str]], list[Callable[[Context], PartResult]]]] = []  # fmt: skip
        for key, program in rules.programs.items():
            groups: dict[str, list[str]] = {}
            for part in program.score or ():
                if part.group:
                    groups.setdefault(part.group, []).append(part.key)
            scorers = [compile_part(part) for part in program.score or ()]
            block = _Block(program.conditions, counter)
            self.programs.append((key, program, block, groups, scorers))
        self.tiers = [(tier, _Block(tier.when, counter)) for tier in rules.tiers]
        self.rosters = [(roster, _Block(roster.when, counter)) for roster in rules.rosters]
        self.size = counter[0]

    def _run(self, block: _Block, ctx: Context, state: _State) -> tuple[bool | None, float]:
        values = ctx.values
        P, G, V, T = state.passed, state.gap, state.value, state.threshold  # noqa: N806
        for spec in block.plan:
            i = spec.index
            if spec.__class__ is LeafSpec:
                leaf: LeafSpec = spec
                value = values.get(leaf.metric, _UNSET)
                if value is _UNSET:
                    value = ctx.lookup(leaf.metric)
                threshold = leaf.value
                if leaf.by is None and value.__class__ is not Missing:  # the common case
                    passed = leaf.cmp(value, threshold)
                    if leaf.contains:
                        value = threshold in value
                    V[i], T[i] = value, threshold
                    if passed:
                        P[i], G[i] = True, 0.0
                    else:
                        P[i] = False
                        if leaf.numeric and value.__class__ in _NUMBERS and threshold:
                            distance = threshold - value if leaf.ge else value - threshold
                            G[i] = max(distance / abs(threshold), 1e-9)
                        else:
                            G[i] = INF
                else:
                    self._slow_leaf(leaf, value, ctx, state)
            elif spec.__class__ is RefSpec:
                result = state.results[spec.program]
                qualifies = result.qualifies
                V[i], T[i], P[i] = qualifies, True, qualifies
                G[i] = 0.0 if qualifies else result.gap
            else:  # a group: its children come before it in the plan
                group: GroupSpec = spec  # type: ignore[assignment]
                if group.is_all:
                    verdict: bool | None = True
                    gap = 0.0
                    for c in group.child_indices:
                        value = P[c]
                        if value is False:
                            verdict = False
                        elif value is None and verdict is True:
                            verdict = None
                        if G[c] > gap:
                            gap = G[c]
                    P[i], G[i] = verdict, gap
                else:
                    P[i], G[i] = _combine(False, group.child_indices, P, G)
        return _combine(True, block.top, P, G)

    @staticmethod
    def _slow_leaf(leaf: LeafSpec, value: Any, ctx: Context, state: _State) -> None:
        """A threshold chosen by another metric, or an unknown figure."""
        i = leaf.index
        threshold = leaf.value
        band = -1
        missing: tuple[str, ...] = ()
        if value.__class__ is Missing:
            missing, value = value.fields, None
        if leaf.by is not None:
            by = ctx.lookup(leaf.by)
            if by.__class__ is Missing:
                missing += by.fields
            else:
                for index, (cmp, limit, chosen, _label, _label_en) in enumerate(leaf.bands):
                    if cmp is None or cmp(by, limit):
                        threshold, band = chosen, index
                        break
        state.value[i], state.threshold[i], state.band[i] = value, threshold, band
        if missing:
            state.passed[i], state.gap[i], state.missing[i] = None, INF, missing
            return
        passed = bool(leaf.cmp(value, threshold))
        state.passed[i] = passed
        state.gap[i] = 0.0 if passed else relative_gap(leaf.op, value, threshold)

    def evaluate(self, enterprise: Enterprise, year: int) -> Evaluation:
        ctx = Context(enterprise, year)
        values = ctx.values
        state = _State(self.size)
        results = state.results
        for key, program, block, groups, scorers in self.programs:
            parts: list[PartResult] = []
            score: float | None = None
            if program.score is not None:
                parts = [scorer(ctx) for scorer in scorers]
                unknown: list[str] = []
                total = 0.0
                by_key = {}
                for part in parts:
                    by_key[part.key] = part
                    if part.points is None:
                        values["part." + part.key] = Missing(part.missing)
                        unknown += part.missing
                    else:
                        values["part." + part.key] = part.points
                        total += part.points
                for group, keys in groups.items():
                    lacking = [f for k in keys for f in by_key[k].missing]
                    values["part." + group] = (
                        Missing(lacking)
                        if lacking
                        else sum(by_key[k].points or 0.0 for k in keys)  # fmt: skip
                    )
                score = None if unknown else total
                values["score"] = Missing(sorted(set(unknown))) if unknown else score
            qualifies, gap = self._run(block, ctx, state)
            results[key] = ProgramResult(key, program, qualifies, score, gap, parts, block, state)
        tiers: list[TierResult] = []
        tier: str | None = None
        for spec, block in self.tiers:
            passed, gap = self._run(block, ctx, state)
            tiers.append(TierResult(spec, passed, gap, block, state))
            if passed and tier is None:
                tier = spec.key
        rosters: dict[str, TierResult] = {}
        for roster, block in self.rosters:
            passed, gap = self._run(block, ctx, state)
            rosters[roster.key] = TierResult(roster, passed, gap, block, state)
        return Evaluation(
            enterprise.id, year, self.rules.year, tier, results, tiers, self.margin, rosters
        )


_NUMBERS = (int, float)


def _combine(is_all: bool, indices: list[int], passed: list[bool | None], gaps: list[float]) -> tuple[bool | None, float]:  # fmt: skip
    if is_all:
        verdict: bool | None = True
        gap = 0.0
        for i in indices:
            value = passed[i]
            if value is False:
                verdict = False
            elif value is None and verdict is True:
                verdict = None
            if gaps[i] > gap:
                gap = gaps[i]
        return verdict, gap
    verdict = False
    gap = INF
    for i in indices:
        value = passed[i]
        if value:
            return True, 0.0
        if value is None:
            verdict = None
        if gaps[i] < gap:
            gap = gaps[i]
    return verdict, gap
