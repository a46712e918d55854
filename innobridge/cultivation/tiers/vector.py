"""Batch verdicts with numpy: one rules file over many enterprises at once.

``Engine`` (engine.py) evaluates one enterprise and explains every condition; it is the
reference. This module computes the same verdicts — tier, every programme's qualifies / score /
gap, every condition's pass, fail or unknown, and the rosters — column by column for thousands of
enterprises, for batch work (a city's whole register, the speed benchmark). Tests compare the two
on random enterprises condition by condition, so the semantics cannot drift apart.

Verdicts are int8 arrays: 1 passes, 0 fails, -1 unknown (a figure is missing).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from innobridge.cultivation.tiers.engine import Engine, GroupSpec, LeafSpec, RefSpec, Spec
from innobridge.cultivation.tiers.metrics import _RAW, FLAGS, YEAR_FIELDS, Enterprise
from innobridge.cultivation.tiers.rules import Band, ScorePart

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Verdicts = npt.NDArray[np.int8]
Column = tuple[Any, Bools]  # values, known
INF = math.inf
NUMERIC_OPS = (">=", ">", "<=", "<")
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    ">=": np.greater_equal, ">": np.greater, "<=": np.less_equal, "<": np.less,
    "==": np.equal, "!=": np.not_equal,
}  # fmt: skip


class Columns:
    """The enterprises' inputs as columns; NaN (or the ``known`` mask) marks unknown values."""

    def __init__(self, enterprises: list[Enterprise], year: int) -> None:
        n = self.n = len(enterprises)
        self.last = year - 1
        self.years = (year - 3, year - 2, year - 1)  # j = 0 base year … 2 last year
        raw = {name: np.full((3, n), np.nan) for name in YEAR_FIELDS}
        first = np.full(n, -1, dtype=np.int64)
        founded = np.full(n, -1, dtype=np.int64)
        self.text: dict[str, npt.NDArray[np.object_]] = {
            "field": np.full(n, None, dtype=object), "district": np.full(n, None, dtype=object),
        }  # fmt: skip
        self.numbers = {name: np.full(n, np.nan) for name in ("registered_in_wuhan", "listed", "innovation_expert_score", "niche_share", "own_brand", *FLAGS)}  # fmt: skip
        self.certificates: list[frozenset[str] | None] = []
        positions = {y: j for j, y in enumerate(self.years)}
        for k, e in enumerate(enterprises):
            if e.founded is not None:
                first[k] = e.founded.year
                founded[k] = e.founded.year * 10000 + e.founded.month * 100 + e.founded.day
            for y, row in e.years.items():
                j = positions.get(y)
                if j is not None:
                    for name, value in row.items():
                        raw[name][j, k] = value
            self.text["field"][k], self.text["district"][k] = e.field, e.district
            for name in ("registered_in_wuhan", "listed", "innovation_expert_score", "niche_share", "own_brand"):  # fmt: skip
                value = getattr(e, name)
                if value is not None:
                    self.numbers[name][k] = float(value)
            for name in FLAGS:
                flag = e.flags.get(name)
                if flag is not None:
                    self.numbers[name][k] = float(flag)
            self.certificates.append(e.certificates)
        self.raw = raw
        self.first = first
        self.first_known = first >= 0
        self.founded = founded
        # A single year's figure before the founding year is 0 (the enterprise did not exist).
        self.filled = {}
        for name, matrix in raw.items():
            filled = matrix.copy()
            for j, y in enumerate(self.years):
                before = self.first_known & (y < first) & np.isnan(filled[j])
                filled[j][before] = 0.0
            self.filled[name] = filled
        # Multi-year windows keep the years the enterprise existed in (else just the last).
        self.windows: dict[int, npt.NDArray[np.bool_]] = {}
        for span in (2, 3):
            include = np.zeros((3, n), dtype=bool)
            for j in range(3 - span, 3):
                include[j] = ~self.first_known | (self.years[j] >= first)
            include[2] |= ~include.any(axis=0)
            self.windows[span] = include

    def has(self, code: str) -> Column:
        values = np.array([bool(c is not None and code in c) for c in self.certificates])
        known = np.array([c is not None for c in self.certificates])
        return values, known


# -- metrics as columns ------------------------------------------------------------------------
def _fig(cols: Columns, name: str, j: int = 2) -> Column:
    values = cols.filled[name][j]
    return values, ~np.isnan(values)


def _share(cols: Columns, top: str, bottom: str) -> Column:
    a, ka = _fig(cols, top)
    b, kb = _fig(cols, bottom)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(b > 0, a / np.where(b > 0, b, 1.0), 0.0)
    return values, ka & kb


def _window_total(cols: Columns, name: str, span: int) -> Column:
    include = cols.windows[span]
    matrix = cols.filled[name]
    known = ~(include & np.isnan(matrix)).any(axis=0)
    return np.where(include, np.nan_to_num(matrix), 0.0).sum(axis=0), known


def _window_share(cols: Columns, top: str, bottom: str, span: int) -> Column:
    a, ka = _window_total(cols, top, span)
    b, kb = _window_total(cols, bottom, span)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(b > 0, a / np.where(b > 0, b, 1.0), 0.0)
    return values, ka & kb


def _three(cols: Columns, name: str) -> tuple[Floats, Floats, Floats, Bools]:
    m = cols.filled[name]
    return m[0], m[1], m[2], ~np.isnan(m).any(axis=0)


def _growth(old: Floats, new: Floats) -> Floats:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(old > 0, new / np.where(old > 0, old, 1.0) - 1, 0.0)


def _hnte_growth(a: Floats, b: Floats, c: Floats) -> Floats:
    with np.errstate(divide="ignore", invalid="ignore"):
        safe_b = np.where(b == 0, 1.0, b)
        safe_a = np.where(a == 0, 1.0, a)
        rate = np.where(a == 0, c / safe_b - 1, (b / safe_a + c / safe_b) / 2 - 1)
    return np.where(b == 0, 0.0, np.maximum(rate, 0.0))


def _age(cols: Columns) -> Column:
    return np.maximum(cols.last - cols.first, 0).astype(np.float64), cols.first_known.copy()


def _cagr(cols: Columns) -> Column:
    base, _mid, last, known = _three(cols, "revenue")
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.sqrt(np.where((base > 0) & (last > 0), last / np.where(base > 0, base, 1.0), 1.0)) - 1  # fmt: skip
    values = np.where(base <= 0, 0.0, np.where(last <= 0, -1.0, rate))
    return values, known


def _main_growth(cols: Columns) -> Column:
    a, b, c, known = _three(cols, "main_revenue")
    return (_growth(a, b) + _growth(b, c)) / 2, known


def _net_asset_growth(cols: Columns) -> Column:
    a1, a2, a3, ka = _three(cols, "assets")
    l1, l2, l3, kl = _three(cols, "liabilities")
    return _hnte_growth(a1 - l1, a2 - l2, a3 - l3), ka & kl


def _revenue_growth(cols: Columns) -> Column:
    a, b, c, known = _three(cols, "revenue")
    return _hnte_growth(a, b, c), known


def _yoy(cols: Columns) -> Column:
    m = cols.filled["revenue"]
    return _growth(m[1], m[2]), ~np.isnan(m[1:]).any(axis=0)


def _ip_total(cols: Columns) -> Column:
    a, ka = _fig(cols, "ip_class1")
    b, kb = _fig(cols, "ip_class2")
    return a + b, ka & kb


def _conversions(cols: Columns) -> Column:
    total, known = _window_total(cols, "conversions", 3)
    return total / cols.windows[3].sum(axis=0), known


def _last(name: str) -> Callable[[Columns], Column]:
    return lambda cols: _fig(cols, name)


def _number(name: str) -> Callable[[Columns], Column]:
    def compute(cols: Columns) -> Column:
        values = cols.numbers[name]
        return values, ~np.isnan(values)

    return compute


def _text(name: str) -> Callable[[Columns], Column]:
    def compute(cols: Columns) -> Column:
        values = cols.text[name]
        return values, np.array([v is not None for v in values], dtype=bool)

    return compute


VECTOR_METRICS: dict[str, Callable[[Columns], Column]] = {
    "age": _age,
    "founded": lambda cols: (cols.founded.astype(np.float64), cols.founded >= 0),
    "registered_in_wuhan": _number("registered_in_wuhan"),
    "listed": _number("listed"),
    "field": _text("field"),
    "district": _text("district"),
    "innovation_expert_score": _number("innovation_expert_score"),
    "niche_share": _number("niche_share"),
    "own_brand": _number("own_brand"),
    **{name: _number(name) for name in FLAGS},
    "base_revenue": lambda cols: _fig(cols, "revenue", 0),
    "ip_total": _ip_total,
    "st_staff_share": lambda cols: _share(cols, "st_staff", "employees"),
    "rd_staff_share": lambda cols: _share(cols, "rd_staff", "employees"),
    "rd_ratio": lambda cols: _share(cols, "rd_expense", "revenue"),
    "rd_cost_ratio": lambda cols: _share(cols, "rd_expense", "total_cost"),
    "rd_ratio_3y": lambda cols: _window_share(cols, "rd_expense", "revenue", 3),
    "rd_ratio_2y": lambda cols: _window_share(cols, "rd_expense", "revenue", 2),
    "rd_in_china_share_3y": lambda cols: _window_share(cols, "rd_expense_in_china", "rd_expense", 3),  # fmt: skip
    "hitech_revenue_share": lambda cols: _share(cols, "hitech_revenue", "revenue"),
    "main_revenue_share": lambda cols: _share(cols, "main_revenue", "revenue"),
    "debt_ratio": lambda cols: _share(cols, "liabilities", "assets"),
    "profit_margin": lambda cols: _share(cols, "profit", "revenue"),
    "revenue_cagr_3y": _cagr,
    "revenue_growth_yoy": _yoy,
    "main_revenue_growth_2y": _main_growth,
    "net_asset_growth": _net_asset_growth,
    "hnte_revenue_growth": _revenue_growth,
    "equity_financing_3y": lambda cols: _window_total(cols, "equity_financing", 3),
    "equity_financing_2y": lambda cols: _window_total(cols, "equity_financing", 2),
    "conversions_avg_3y": _conversions,
    **{name: _last(name) for name in ("revenue", "main_revenue", "rd_expense", "profit",
                                      "employees", "assets", "ip_class1", "ip_class2", "valuation_musd")},
}  # fmt: skip


# -- verdicts -----------------------------------------------------------------------------------
@dataclass
class BatchResult:
    """Verdicts per enterprise (rows in input order)."""

    tier: npt.NDArray[np.object_]  # tier key or None
    qualifies: dict[str, Verdicts]
    score: dict[str, Floats]  # NaN: unknown or no score
    gap: dict[str, Floats]
    rosters: dict[str, Verdicts]
    conditions: dict[int, Verdicts]  # spec.index → verdicts (every condition of every block)
    tier_gap: dict[str, Floats]


class VectorEngine:
    """Evaluates the compiled plan of an ``Engine`` over columns."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        missing = sorted(set(_metrics_used(engine)) - set(VECTOR_METRICS) - {"score", "certificates"})  # fmt: skip
        if missing:
            raise ValueError(f"no column form for metrics: {', '.join(missing)}")

    def evaluate(self, enterprises: list[Enterprise], year: int) -> BatchResult:
        cols = Columns(enterprises, year)
        cache: dict[str, Column] = {}
        verdicts: dict[int, Verdicts] = {}
        gaps: dict[int, Floats] = {}
        result = BatchResult(np.full(cols.n, None, dtype=object), {}, {}, {}, {}, verdicts, {})
        for key, program, block, groups, _scorers in self.engine.programs:
            score = np.full(cols.n, np.nan)
            if program.score is not None:
                score = self._score(program.score, groups, cols, cache)
            passed, gap = self._block(block.plan, block.top, cols, cache, verdicts, gaps, result)
            result.qualifies[key], result.gap[key], result.score[key] = passed, gap, score
        assigned = np.zeros(cols.n, dtype=bool)
        for spec, block in self.engine.tiers:
            passed, gap = self._block(block.plan, block.top, cols, cache, verdicts, gaps, result)
            result.tier_gap[spec.key] = gap
            take = (passed == 1) & ~assigned
            result.tier[take] = spec.key
            assigned |= take
        for roster, block in self.engine.rosters:
            passed, _gap = self._block(block.plan, block.top, cols, cache, verdicts, gaps, result)
            result.rosters[roster.key] = passed
        return result

    # -- metrics and leaves --------------------------------------------------------------------
    def _metric(self, name: str, cols: Columns, cache: dict[str, Column]) -> Column:
        found = cache.get(name)
        if found is None:
            values, known = VECTOR_METRICS[name](cols)
            if name not in _RAW and values.dtype == np.float64:
                values = np.round(values, 9)
            found = cache[name] = (values, known)
        return found

    def _leaf(self, leaf: LeafSpec, cols: Columns, cache: dict[str, Column]) -> tuple[Verdicts, Floats]:  # fmt: skip
        n = cols.n
        if leaf.op in ("contains", "not_contains"):
            values, known = cols.has(str(leaf.value))
            passed = values if leaf.op == "contains" else ~values
            return np.where(known, passed.astype(np.int8), np.int8(-1)), np.where(passed & known, 0.0, INF)  # fmt: skip
        values, known = self._metric(leaf.metric, cols, cache)
        if leaf.op in ("in", "not_in"):
            inside = np.array([v in leaf.value for v in values], dtype=bool)
            passed = inside if leaf.op == "in" else ~inside
            return np.where(known, passed.astype(np.int8), np.int8(-1)), np.where(passed & known, 0.0, INF)  # fmt: skip
        threshold: Any = leaf.value
        if leaf.metric == "founded":
            threshold = float(str(threshold).replace("-", ""))
        elif isinstance(threshold, bool):
            threshold = float(threshold)
        if leaf.by is not None:
            by, by_known = self._metric(leaf.by, cols, cache)
            chosen = np.full(n, np.nan)
            assigned = np.zeros(n, dtype=bool)
            for cmp, limit, value, _label, _label_en in leaf.bands:
                take = ~assigned & (np.ones(n, dtype=bool) if cmp is None else _COMPARE[_op_of(cmp)](by, limit))  # fmt: skip
                chosen[take] = value
                assigned |= take
            threshold = chosen
            known = known & by_known & assigned
        with np.errstate(invalid="ignore"):
            passed = _COMPARE[leaf.op](values, threshold) & known
        verdict = np.where(known, passed.astype(np.int8), np.int8(-1))
        gap = np.where(passed, 0.0, INF)
        if leaf.op in NUMERIC_OPS and leaf.metric != "founded":  # a date has no relative gap
            t = np.broadcast_to(np.asarray(threshold, dtype=np.float64), (n,))
            with np.errstate(divide="ignore", invalid="ignore"):
                distance = (t - values) if leaf.op in (">=", ">") else (values - t)
                relative = np.maximum(distance / np.abs(t), 1e-9)
            numeric = known & ~passed & (t != 0)
            gap = np.where(numeric, relative, gap)
        return verdict, gap

    def _block(
        self, plan: list[Spec], top: list[int], cols: Columns, cache: dict[str, Column],
        verdicts: dict[int, Verdicts], gaps: dict[int, Floats], result: BatchResult,
    ) -> tuple[Verdicts, Floats]:  # fmt: skip
        for spec in plan:
            if isinstance(spec, LeafSpec):
                verdicts[spec.index], gaps[spec.index] = self._leaf(spec, cols, cache)
            elif isinstance(spec, RefSpec):
                passed = result.qualifies[spec.program]
                verdicts[spec.index] = passed
                gaps[spec.index] = np.where(passed == 1, 0.0, result.gap[spec.program])
            else:
                group: GroupSpec = spec
                verdicts[spec.index], gaps[spec.index] = _combine(
                    group.is_all,
                    [verdicts[i] for i in group.child_indices],
                    [gaps[i] for i in group.child_indices],  # fmt: skip
                )
        return _combine(True, [verdicts[i] for i in top], [gaps[i] for i in top])

    # -- scores --------------------------------------------------------------------------------
    def _bands(self, bands: list[Band], default: str | None, cols: Columns, cache: dict[str, Column]) -> tuple[Floats, Bools]:  # fmt: skip
        n = cols.n
        points = np.zeros(n)
        matched = np.zeros(n, dtype=bool)
        unknown = np.zeros(n, dtype=bool)
        for band in bands:
            values, known = self._metric(band.metric or default or "", cols, cache)
            open_ = ~matched & ~unknown
            unknown |= open_ & ~known
            with np.errstate(invalid="ignore"):
                hit = open_ & known & _COMPARE[band.op](values, band.value)
            points[hit] = band.points
            matched |= hit
        return points, ~unknown

    def _part(self, part: ScorePart, cols: Columns, cache: dict[str, Column]) -> tuple[Floats, Bools]:  # fmt: skip
        if part.direct:
            values, known = self._metric(part.metric or "", cols, cache)
            return np.clip(np.nan_to_num(values), 0.0, part.max), known
        if part.bands is not None:
            return self._bands(part.bands, part.metric, cols, cache)
        best = np.zeros(cols.n)
        unknown = np.zeros(cols.n, dtype=bool)
        for table in part.best_of or ():
            points, known = self._bands(table.bands, table.metric, cols, cache)
            best = np.maximum(best, np.where(known, points, 0.0))
            unknown |= ~known
        return best, ~(unknown & (best < part.max))

    def _score(self, parts: list[ScorePart], groups: dict[str, list[str]], cols: Columns, cache: dict[str, Column]) -> Floats:  # fmt: skip
        total = np.zeros(cols.n)
        all_known = np.ones(cols.n, dtype=bool)
        by_key: dict[str, Column] = {}
        for part in parts:
            points, known = self._part(part, cols, cache)
            by_key[part.key] = (points, known)
            cache["part." + part.key] = (points, known)
            total += points
            all_known &= known
        for group, keys in groups.items():
            cache["part." + group] = (
                sum((by_key[k][0] for k in keys), np.zeros(cols.n)),
                np.logical_and.reduce([by_key[k][1] for k in keys]),
            )
        cache["score"] = (total, all_known)
        return np.where(all_known, total, np.nan)


def _op_of(cmp: Callable[[Any, Any], bool]) -> str:
    import operator

    return {operator.ge: ">=", operator.gt: ">", operator.le: "<=", operator.lt: "<", operator.eq: "==", operator.ne: "!="}[cmp]  # fmt: skip


def _combine(is_all: bool, verdicts: list[Verdicts], gaps: list[Floats]) -> tuple[Verdicts, Floats]:
    stack = np.vstack(verdicts)
    gap_stack = np.vstack(gaps)
    if is_all:
        verdict = np.where((stack == 0).any(axis=0), 0, np.where((stack == -1).any(axis=0), -1, 1))
        return verdict.astype(np.int8), gap_stack.max(axis=0)
    passed = (stack == 1).any(axis=0)
    verdict = np.where(passed, 1, np.where((stack == -1).any(axis=0), -1, 0))
    return verdict.astype(np.int8), np.where(passed, 0.0, gap_stack.min(axis=0))


def _metrics_used(engine: Engine) -> list[str]:
    names: list[str] = []
    for _key, program, block, _groups, _scorers in engine.programs:
        for part in program.score or ():
            names += [part.metric] if part.metric else []
            names += [b.metric for b in part.bands or () if b.metric]
            for table in part.best_of or ():
                names += [table.metric] + [b.metric for b in table.bands if b.metric]
        names += _leaf_metrics(block.plan)
    for _spec, block in [*engine.tiers, *engine.rosters]:
        names += _leaf_metrics(block.plan)
    return [n for n in names if not n.startswith("part.")]


def _leaf_metrics(plan: list[Spec]) -> list[str]:
    found: list[str] = []
    for spec in plan:
        if isinstance(spec, LeafSpec):
            found.append(spec.metric)
            if spec.by:
                found.append(spec.by)
    return found
