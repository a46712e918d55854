"""The figures the rules talk about, computed from one enterprise for one evaluation year.

Year semantics (issue #6): evaluating year Y uses the three complete fiscal years Y-3, Y-2 and
Y-1; "last year" is Y-1 and the "base year" is Y-3. Age is the number of whole years from the
founding date to 31 December of Y-1. Multi-year sums skip the years before the founding year
(a two-year-old firm is judged on its two years, as the high-tech guidelines say) and a single
figure of a year before the founding year is 0 (no revenue before it existed); a year the
enterprise existed in but whose figure is absent makes the metric unknown, and the metric names
the missing field (``years.2024.rd_expense``).

Every metric has a unit that decides how a value is printed; ratios are fractions (0.05 = 5%).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

# Yearly figures an enterprise reports (money in 万元, valuation in million USD).
YEAR_FIELDS: tuple[str, ...] = (
    "revenue",
    "main_revenue",
    "hitech_revenue",
    "rd_expense",
    "rd_expense_in_china",
    "total_cost",
    "profit",
    "employees",
    "st_staff",
    "rd_staff",
    "assets",
    "liabilities",
    "ip_class1",
    "ip_class2",
    "conversions",
    "equity_financing",
    "valuation_musd",
)
FLAGS: tuple[str, ...] = ("major_incident", "dishonest", "abnormal")


class Missing(Exception):  # noqa: N818 - it is a signal, not an error
    """A figure the metric needs is unknown; ``fields`` names them."""

    def __init__(self, fields: Iterable[str]) -> None:
        self.fields = tuple(fields)
        super().__init__(", ".join(self.fields))


@dataclass
class Enterprise:
    """One enterprise as the engine sees it: every attribute may be unknown (None)."""

    id: str | int
    founded: datetime.date | None = None
    registered_in_wuhan: bool | None = None
    district: str | None = None
    field: str | None = None
    listed: bool | None = None
    certificates: frozenset[str] | None = None
    flags: dict[str, bool | None] = dataclasses.field(default_factory=dict)
    innovation_expert_score: float | None = None
    niche_share: float | None = None
    own_brand: bool | None = None
    years: dict[int, dict[str, float]] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str  # ratio | wan | people | years | count | musd | bool | text | date | set | points
    label: str
    label_en: str
    compute: Callable[[Context], Any]


class Context:
    """Memoized metric values for one enterprise and evaluation year."""

    __slots__ = ("enterprise", "year", "last", "first_year", "values")

    def __init__(self, enterprise: Enterprise, year: int) -> None:
        self.enterprise = enterprise
        self.year = year
        self.last = year - 1
        founded = enterprise.founded
        self.first_year = founded.year if founded is not None else None
        # The plain metrics (last year's figure, an attribute, a flag) are known at once;
        # the same values their compute functions would return, without a call each.
        values: dict[str, Any] = {}
        row = enterprise.years.get(self.last)
        if row:
            for name in _LAST_YEAR_METRICS:
                value = row.get(name)
                if value is not None:
                    values[name] = value
        for name in _ATTRIBUTE_METRICS:
            value = getattr(enterprise, name)
            if value is not None:
                values[name] = value
        for name, value in enterprise.flags.items():
            if value is not None:
                values[name] = value
        self.values = values

    def get(self, name: str) -> Any:
        """The value of metric ``name``; raises Missing when a needed figure is unknown."""
        value = self.lookup(name)
        if value.__class__ is Missing:
            raise value
        return value

    def lookup(self, name: str) -> Any:
        """The value of metric ``name``, or the Missing signal itself (not raised)."""
        try:
            return self.values[name]
        except KeyError:
            try:
                value = METRICS[name].compute(self)
            except Missing as missing:
                value = missing
            if value.__class__ is float and name not in _RAW:
                value = round(value, 9)  # CAGR "exactly 20%" is 0.2, not 0.19999999999999996
            self.values[name] = value
            return value

    # -- figures -------------------------------------------------------------------------------
    def figure(self, year: int, name: str) -> float:
        """A figure of one year; 0 for a year before the enterprise was founded."""
        value = self.enterprise.years.get(year, {}).get(name)
        if value is None:
            if self.first_year is not None and year < self.first_year:
                return 0.0
            raise Missing((f"years.{year}.{name}",))
        return value

    def window(self, span: int) -> list[int]:
        """The last ``span`` fiscal years the enterprise existed in (oldest first)."""
        years = list(range(self.last - span + 1, self.last + 1))
        if self.first_year is None:
            return years
        kept = [y for y in years if y >= self.first_year]
        return kept or [self.last]

    def total(self, name: str, span: int) -> float:
        missing: list[str] = []
        total = 0.0
        for year in self.window(span):
            value = self.enterprise.years.get(year, {}).get(name)
            if value is None and self.first_year is not None and year < self.first_year:
                value = 0.0  # only when founded after last year: the window is that year alone
            if value is None:
                missing.append(f"years.{year}.{name}")
            else:
                total += value
        if missing:
            raise Missing(missing)
        return total

    def attribute(self, name: str) -> Any:
        value = getattr(self.enterprise, name)
        if value is None:
            raise Missing((name,))
        return value


def ratio(numerator: float, denominator: float) -> float:
    """A share; an empty denominator gives 0 (nothing to share)."""
    return numerator / denominator if denominator > 0 else 0.0


def growth(old: float, new: float) -> float:
    """Year-on-year growth; from nothing (old ≤ 0) counts as no growth."""
    return new / old - 1 if old > 0 else 0.0


def hnte_growth(values: tuple[float, float, float]) -> float:
    """The high-tech enterprise growth rate g = ½(Y2/Y1 + Y3/Y2) − 1 (工作指引).

    Y1 = 0 → use the last two years only (Y3/Y2 − 1); Y2 = 0 → 0; a negative rate counts as 0.
    """
    y1, y2, y3 = values
    if y2 == 0:
        return 0.0
    rate = y3 / y2 - 1 if y1 == 0 else (y2 / y1 + y3 / y2) / 2 - 1
    return max(rate, 0.0)


def age(ctx: Context) -> int:
    founded: datetime.date = ctx.attribute("founded")
    end = datetime.date(ctx.last, 12, 31)
    years = end.year - founded.year - ((end.month, end.day) < (founded.month, founded.day))
    return max(years, 0)


def _last(name: str) -> Callable[[Context], float]:
    def compute(ctx: Context) -> float:
        value = ctx.enterprise.years.get(ctx.last, {}).get(name)
        return value if value is not None else ctx.figure(ctx.last, name)

    return compute


def _figures(ctx: Context, pairs: Iterable[tuple[int, str]]) -> list[float]:
    """Several figures at once, so that a missing metric names every figure it lacks."""
    values: list[float] = []
    missing: list[str] = []
    first_year = ctx.first_year
    for year, name in pairs:
        value = ctx.enterprise.years.get(year, {}).get(name)
        if value is None and first_year is not None and year < first_year:
            value = 0.0  # the enterprise did not exist yet
        if value is None:
            missing.append(f"years.{year}.{name}")
        else:
            values.append(value)
    if missing:
        raise Missing(missing)
    return values


def _last_share(numerator: str, denominator: str) -> Callable[[Context], float]:
    def compute(ctx: Context) -> float:
        row = ctx.enterprise.years.get(ctx.last)
        if row is not None:  # the common case, without building lists
            top, bottom = row.get(numerator), row.get(denominator)
            if top is not None and bottom is not None:
                return top / bottom if bottom > 0 else 0.0
        top, bottom = _figures(ctx, ((ctx.last, numerator), (ctx.last, denominator)))
        return ratio(top, bottom)

    return compute


def _window_share(numerator: str, denominator: str, span: int) -> Callable[[Context], float]:
    def compute(ctx: Context) -> float:
        years = ctx.window(span)
        rows = ctx.enterprise.years
        top = bottom = 0.0
        for year in years:  # the common case: every figure present
            row = rows.get(year)
            a = row.get(numerator) if row is not None else None
            b = row.get(denominator) if row is not None else None
            if a is None or b is None:
                break
            top += a
            bottom += b
        else:
            return top / bottom if bottom > 0 else 0.0
        values = _figures(ctx, [(y, numerator) for y in years] + [(y, denominator) for y in years])
        return ratio(sum(values[: len(years)]), sum(values[len(years) :]))

    return compute


def _three(ctx: Context, name: str) -> tuple[float, float, float]:
    years = ctx.enterprise.years
    last = ctx.last
    a = years.get(last - 2, {}).get(name)
    b = years.get(last - 1, {}).get(name)
    c = years.get(last, {}).get(name)
    if a is None or b is None or c is None:
        a, b, c = _figures(ctx, ((last - 2, name), (last - 1, name), (last, name)))
    return a, b, c


def revenue_cagr(ctx: Context) -> float:
    """(R[Y-1] / R[Y-3])^(1/2) − 1; from a base of nothing it is 0."""
    base, _middle, last = _three(ctx, "revenue")
    if base <= 0 or last <= 0:
        return 0.0 if base <= 0 else -1.0
    return float((last / base) ** 0.5 - 1)


def main_revenue_growth_2y(ctx: Context) -> float:
    a, b, c = _three(ctx, "main_revenue")
    return (growth(a, b) + growth(b, c)) / 2


def net_asset_growth(ctx: Context) -> float:
    assets = _three(ctx, "assets")
    liabilities = _three(ctx, "liabilities")
    a, b, c = (x - y for x, y in zip(assets, liabilities, strict=True))
    return hnte_growth((a, b, c))


def hnte_revenue_growth(ctx: Context) -> float:
    return hnte_growth(_three(ctx, "revenue"))


def revenue_yoy(ctx: Context) -> float:
    before, last = _figures(ctx, ((ctx.last - 1, "revenue"), (ctx.last, "revenue")))
    return growth(before, last)


def ip_total(ctx: Context) -> float:
    one, two = _figures(ctx, ((ctx.last, "ip_class1"), (ctx.last, "ip_class2")))
    return one + two


def conversions_avg(ctx: Context) -> float:
    years = ctx.window(3)
    return ctx.total("conversions", 3) / len(years)


def flag(name: str) -> Callable[[Context], Any]:
    unknown = Missing((f"flags.{name}",))

    def compute(ctx: Context) -> Any:
        value = ctx.enterprise.flags.get(name)
        return unknown if value is None else value  # a returned Missing is cheaper than raised

    return compute


def _attribute(name: str) -> Callable[[Context], Any]:
    unknown = Missing((name,))

    def compute(ctx: Context) -> Any:
        value = getattr(ctx.enterprise, name)
        return unknown if value is None else value

    return compute


def _founded(ctx: Context) -> str:
    founded: datetime.date = ctx.attribute("founded")
    return founded.isoformat()


def _score(ctx: Context) -> float:  # filled in by the engine before conditions run
    raise Missing(("score",))


_DEFINITIONS: list[tuple[str, str, str, str, Callable[[Context], Any]]] = [
    ("age", "years", "成立年限", "Age", age),
    ("founded", "date", "成立日期", "Founding date", _founded),
    ("registered_in_wuhan", "bool", "在汉注册", "Registered in Wuhan", _attribute("registered_in_wuhan")),
    ("listed", "bool", "已上市", "Listed", _attribute("listed")),
    ("field", "text", "产业领域", "Field", _attribute("field")),
    ("district", "text", "所在区", "District", _attribute("district")),
    ("certificates", "set", "资质与荣誉", "Certificates and awards", _attribute("certificates")),
    ("innovation_expert_score", "points", "创新能力专家评分（知识产权、成果转化、研发管理）", "Expert-judged innovation score (IP, conversion, R&D management)", _attribute("innovation_expert_score")),
    ("niche_share", "ratio", "细分市场全国占有率", "National niche-market share", _attribute("niche_share")),
    ("own_brand", "bool", "拥有自主品牌", "Owns a brand", _attribute("own_brand")),
    ("major_incident", "bool", "上年发生重大安全、质量或环境事故", "Major safety, quality or environmental incident last year", flag("major_incident")),
    ("dishonest", "bool", "列入严重失信名单", "On the serious-dishonesty list", flag("dishonest")),
    ("abnormal", "bool", "列入经营异常名录", "On the abnormal-operation list", flag("abnormal")),
    ("revenue", "wan", "上年营业收入", "Revenue last year", _last("revenue")),
    ("base_revenue", "wan", "基准年营业收入", "Base-year revenue", lambda ctx: ctx.figure(ctx.last - 2, "revenue")),
    ("main_revenue", "wan", "上年主营业务收入", "Main-business revenue last year", _last("main_revenue")),
    ("rd_expense", "wan", "上年研发费用", "R&D expense last year", _last("rd_expense")),
    ("profit", "wan", "上年利润总额", "Profit last year", _last("profit")),
    ("employees", "people", "上年职工总数", "Employees last year", _last("employees")),
    ("assets", "wan", "上年资产总额", "Total assets last year", _last("assets")),
    ("ip_class1", "count", "Ⅰ类知识产权", "Class-I IP", _last("ip_class1")),
    ("ip_class2", "count", "Ⅱ类知识产权", "Class-II IP", _last("ip_class2")),
    ("ip_total", "count", "核心知识产权", "Core IP", ip_total),
    ("valuation_musd", "musd", "最新估值", "Latest valuation", _last("valuation_musd")),
    ("st_staff_share", "ratio", "科技人员占职工总数比例", "S&T staff share of employees", _last_share("st_staff", "employees")),
    ("rd_staff_share", "ratio", "研发人员占职工总数比例", "R&D staff share of employees", _last_share("rd_staff", "employees")),
    ("rd_ratio", "ratio", "上年研发费用占营业收入比例", "R&D expense / revenue last year", _last_share("rd_expense", "revenue")),
    ("rd_cost_ratio", "ratio", "上年研发费用占成本费用总额比例", "R&D expense / total cost last year", _last_share("rd_expense", "total_cost")),
    ("rd_ratio_3y", "ratio", "近三年研发费用占营业收入比例", "R&D expense / revenue over three years", _window_share("rd_expense", "revenue", 3)),
    ("rd_ratio_2y", "ratio", "近两年研发费用占营业收入比例", "R&D expense / revenue over two years", _window_share("rd_expense", "revenue", 2)),
    ("rd_in_china_share_3y", "ratio", "近三年境内研发费用占比", "Share of R&D spent in China over three years", _window_share("rd_expense_in_china", "rd_expense", 3)),
    ("hitech_revenue_share", "ratio", "上年高新技术产品（服务）收入占比", "High-tech product/service revenue share last year", _last_share("hitech_revenue", "revenue")),
    ("main_revenue_share", "ratio", "上年主营业务收入占比", "Main-business share of revenue last year", _last_share("main_revenue", "revenue")),
    ("debt_ratio", "ratio", "上年资产负债率", "Debt ratio last year", _last_share("liabilities", "assets")),
    ("profit_margin", "ratio", "上年利润率", "Profit margin last year", _last_share("profit", "revenue")),
    ("revenue_cagr_3y", "ratio", "近三年营业收入复合增长率", "Three-year revenue CAGR", revenue_cagr),
    ("revenue_growth_yoy", "ratio", "上年营业收入同比增长率", "Revenue growth last year", revenue_yoy),
    ("main_revenue_growth_2y", "ratio", "近两年主营业务收入平均增长率", "Two-year average main-revenue growth", main_revenue_growth_2y),
    ("net_asset_growth", "ratio", "净资产增长率", "Net-asset growth rate", net_asset_growth),
    ("hnte_revenue_growth", "ratio", "销售收入增长率", "Revenue growth rate", hnte_revenue_growth),
    ("equity_financing_3y", "wan", "近三年股权融资", "Equity financing over three years", lambda ctx: ctx.total("equity_financing", 3)),
    ("equity_financing_2y", "wan", "近两年股权融资", "Equity financing over two years", lambda ctx: ctx.total("equity_financing", 2)),
    ("conversions_avg_3y", "count", "近三年年均科技成果转化数", "Yearly average conversions of results", conversions_avg),
    ("score", "points", "评分", "Score", _score),
]  # fmt: skip

# Metrics prefilled by Context (see there): last year's figure under its own name, attributes.
_LAST_YEAR_METRICS = ("revenue", "main_revenue", "rd_expense", "profit", "employees", "assets",
                      "ip_class1", "ip_class2", "valuation_musd")  # fmt: skip
_ATTRIBUTE_METRICS = ("registered_in_wuhan", "listed", "field", "district", "certificates",
                      "innovation_expert_score", "niche_share", "own_brand")  # fmt: skip

# Metrics that are a reported figure as it is (no arithmetic, so nothing to round).
_RAW = frozenset(YEAR_FIELDS) | {"base_revenue", "innovation_expert_score", "niche_share"}

METRICS: dict[str, Metric] = {
    name: Metric(name, unit, label, label_en, compute)
    for name, unit, label, label_en, compute in _DEFINITIONS
}
