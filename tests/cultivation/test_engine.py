"""The tier rules engine on hand-worked cases from criteria.md, at the thresholds."""

from __future__ import annotations

import pytest

from innobridge.cultivation.tiers.describe import reason
from tests.cultivation.helpers import condition, enterprise, evaluate, with_years, year


def test_healthy_small_firm_is_a_tsme_in_the_leap_tier() -> None:
    result = evaluate(enterprise())
    tsme = result.programs["tsme"]
    assert tsme.qualifies is True
    assert tsme.score == 100  # S&T 35% → 20, R&D 8% → 50, one class-I IP → 30
    assert result.tier == "跃升"


def test_tsme_score_is_worked_out_band_by_band() -> None:
    figures = {"st_staff": 22, "rd_expense": 105, "ip_class1": 0, "ip_class2": 3}
    result = evaluate(with_years(enterprise(), y2024=figures))
    tsme = result.programs["tsme"]
    parts = {p.key: p.points for p in tsme.parts}
    # 22% S&T staff → 12; R&D 3.5% of revenue → 20 (4.2% of cost → 0, the higher counts); 3 class-II → 18
    assert parts == {"st_staff": 12, "rd": 20, "ip": 18}
    assert tsme.score == 50
    assert tsme.qualifies is False
    with_certificate = evaluate(with_years(enterprise(certificates=["high_tech"]), y2024=figures))
    assert with_certificate.programs["tsme"].qualifies is True  # direct qualification


def test_tsme_needs_a_non_zero_st_staff_score_even_with_60_points() -> None:
    result = evaluate(with_years(enterprise(), y2024={"st_staff": 9}))
    tsme = result.programs["tsme"]
    assert tsme.score == 80  # 0 + 50 + 30
    assert tsme.qualifies is False
    assert condition(result, "tsme", "科技人员指标得分不为0").passed is False


def test_tsme_size_and_integrity_conditions() -> None:
    assert evaluate(with_years(enterprise(), y2024={"employees": 500, "st_staff": 200})).programs["tsme"].qualifies is True  # fmt: skip
    assert evaluate(with_years(enterprise(), y2024={"employees": 501, "st_staff": 200})).programs["tsme"].qualifies is False  # fmt: skip
    flagged = enterprise(flags={"major_incident": False, "dishonest": True, "abnormal": False})
    assert evaluate(flagged).programs["tsme"].qualifies is False


def _hnte_years(revenues: tuple[float, float, float], rd: tuple[float, float, float]) -> dict[str, dict[str, float]]:  # fmt: skip
    return {
        str(y): year(revenue=r, main_revenue=r * 0.9, hitech_revenue=r * 0.8, rd_expense=d,
                     rd_expense_in_china=d, total_cost=r * 0.8)
        for y, r, d in zip((2022, 2023, 2024), revenues, rd, strict=True)
    }  # fmt: skip


def test_hnte_rd_threshold_at_exactly_50_million_revenue() -> None:
    at_limit = evaluate(enterprise(years=_hnte_years((5000, 5000, 5000), (245, 245, 245))))
    rd = condition(at_limit, "hnte", "近三年研发费用")
    assert rd.threshold == 0.05  # revenue ≤ 5,000万 → 5%
    assert rd.band_label == "上年收入 ≤ 5000万元"
    assert rd.passed is False
    assert reason(rd) == "近三年研发费用占营业收入比例 4.9% < 5%（上年收入 ≤ 5000万元）"
    above = evaluate(enterprise(years=_hnte_years((5000, 5000, 5001), (245, 245, 245))))
    rd_above = condition(above, "hnte", "近三年研发费用")
    assert rd_above.threshold == 0.04
    assert rd_above.passed is True


def test_hnte_st_staff_exactly_ten_percent_passes() -> None:
    exact = evaluate(with_years(enterprise(), y2024={"employees": 100, "st_staff": 10}))
    assert condition(exact, "hnte", "科技人员").passed is True
    below = evaluate(with_years(enterprise(), y2024={"employees": 100, "st_staff": 9}))
    assert condition(below, "hnte", "科技人员").passed is False


def test_hnte_growth_score_uses_the_official_formula() -> None:
    # revenue 1000 → 1200 → 1500: g = ½(1.2 + 1.25) − 1 = 22.5% → 6 points; net assets flat → 0
    result = evaluate(enterprise(innovation_expert_score=65, years=_hnte_years((1000, 1200, 1500), (100, 120, 150))))  # fmt: skip
    hnte = result.programs["hnte"]
    parts = {p.key: p.points for p in hnte.parts}
    assert parts == {"expert": 65, "net_asset_growth": 0, "revenue_growth": 6}
    assert hnte.score == 71
    assert hnte.qualifies is True
    lower = evaluate(enterprise(innovation_expert_score=64, years=_hnte_years((1000, 1200, 1500), (100, 120, 150))))  # fmt: skip
    assert lower.programs["hnte"].qualifies is False


def test_hnte_growth_from_a_zero_first_year_uses_the_last_two_years() -> None:
    # Y1 = 0 → g = 1300/1000 − 1 = 30% → 8 points
    result = evaluate(enterprise(years=_hnte_years((0, 1000, 1300), (0, 100, 130))))
    parts = {p.key: p.points for p in result.programs["hnte"].parts}
    assert parts["revenue_growth"] == 8


def test_hnte_without_the_expert_score_is_unknown_and_names_it() -> None:
    record = enterprise(innovation_expert_score=None)
    hnte = evaluate(record).programs["hnte"]
    assert hnte.qualifies is None
    assert hnte.score is None
    assert "innovation_expert_score" in hnte.missing
    failing = evaluate(with_years(record, y2024={"st_staff": 5}))  # a hard condition fails
    assert failing.programs["hnte"].qualifies is False


def test_gazelle_cagr_of_exactly_20_percent_passes() -> None:
    record = enterprise(years=_hnte_years((1000, 1200, 1440), (80, 96, 115)))
    result = evaluate(record)
    cagr = condition(result, "gazelle", "复合增长率")
    assert cagr.value == pytest.approx(0.2)
    assert cagr.passed is True
    assert result.programs["gazelle"].qualifies is True
    assert result.tier == "瞪羚"
    short = evaluate(with_years(record, y2024={"revenue": 1439, "main_revenue": 1300, "hitech_revenue": 1100}))  # fmt: skip
    assert short.programs["gazelle"].qualifies is False
    near = {(n.kind, n.key): n for n in short.near}
    assert ("program", "gazelle") in near  # 0.02% short of 20%: on the watchlist
    assert [c.metric for c in near[("program", "gazelle")].lacking] == ["revenue_cagr_3y"]


def test_age_counts_whole_years_to_the_end_of_last_year() -> None:
    young = enterprise(founded="2020-01-01", valuation_musd=None)
    result = evaluate(with_years(young, y2024={"revenue": 50001, "main_revenue": 45000, "hitech_revenue": 40000}))  # fmt: skip
    assert condition(result, "gazelle", "成立不超过5年").value == 4
    assert condition(result, "gazelle", "上年营业收入超过5亿元").passed is True
    assert condition(evaluate(enterprise(founded="2014-01-01")), "future_eagle", "成立不超过10年").value == 10  # fmt: skip
    assert evaluate(enterprise(founded="2014-01-01")).programs["future_eagle"].qualifies is True
    assert evaluate(enterprise(founded="2013-12-31")).programs["future_eagle"].qualifies is False


def test_unicorn_and_potential_unicorn_valuation_bands() -> None:
    backed = with_years(enterprise(founded="2016-03-01"), y2023={"equity_financing": 20000})
    assert evaluate(with_years(backed, y2024={"valuation_musd": 1000.5})).programs["unicorn"].qualifies is True  # fmt: skip
    assert evaluate(with_years(backed, y2024={"valuation_musd": 1000})).programs["unicorn"].qualifies is False  # fmt: skip
    listed = {**with_years(backed, y2024={"valuation_musd": 2000}), "listed": True}
    assert evaluate(listed).programs["unicorn"].qualifies is False
    five = enterprise(founded="2019-06-01")  # age 5
    assert evaluate(with_years(five, y2024={"valuation_musd": 50})).programs["potential_unicorn"].qualifies is True  # fmt: skip
    six = enterprise(founded="2018-06-01")  # age 6: needs 100 million USD
    assert evaluate(with_years(six, y2024={"valuation_musd": 99})).programs["potential_unicorn"].qualifies is False  # fmt: skip
    assert evaluate(with_years(six, y2024={"valuation_musd": 100})).programs["potential_unicorn"].qualifies is True  # fmt: skip


def test_yumiao_call_boundaries() -> None:
    start_up = enterprise(founded="2020-01-01")
    assert evaluate(with_years(start_up, y2024={"main_revenue": 2000, "revenue": 2100, "hitech_revenue": 1500})).programs["yumiao"].qualifies is True  # fmt: skip
    assert evaluate(with_years(start_up, y2024={"main_revenue": 2001, "revenue": 2100, "hitech_revenue": 1500})).programs["yumiao"].qualifies is False  # fmt: skip
    assert evaluate(enterprise(founded="2019-12-31")).programs["yumiao"].qualifies is False
    assert evaluate(enterprise(founded="2020-01-01", registered_in_wuhan=False)).programs["yumiao"].qualifies is False  # fmt: skip


def test_little_giant_without_market_share_is_unknown() -> None:
    record = enterprise(niche_share=None, years=_hnte_years((9000, 10000, 11000), (700, 700, 700)))
    record = with_years(record, y2022={"ip_class1": 2}, y2023={"ip_class1": 2}, y2024={"ip_class1": 2})  # fmt: skip
    giant = evaluate(record).programs["little_giant"]
    assert giant.qualifies is None
    assert giant.missing == ["niche_share"]
    assert evaluate({**record, "niche_share": 0.10}).programs["little_giant"].qualifies is True


def test_innovative_sme_direct_path_by_equity_financing() -> None:
    weak = with_years(enterprise(), y2024={"rd_expense": 0, "rd_expense_in_china": 0, "ip_class1": 0, "ip_class2": 0})  # fmt: skip
    assert evaluate(weak).programs["innovative_sme"].qualifies is False
    funded = with_years(weak, y2023={"equity_financing": 500})
    assert evaluate(funded).programs["innovative_sme"].qualifies is True


def test_missing_year_makes_multi_year_metrics_unknown() -> None:
    record = enterprise()
    del record["years"]["2023"]
    hnte = evaluate(record).programs["hnte"]
    assert condition(evaluate(record), "hnte", "近三年研发费用").passed is None
    assert "years.2023.revenue" in hnte.missing


def test_years_before_founding_count_as_nothing() -> None:
    record = enterprise(founded="2023-03-01")
    del record["years"]["2022"]
    result = evaluate(record)
    assert condition(result, "hnte", "近三年研发费用").passed is True  # judged on 2023–2024
    assert condition(result, "gazelle", "基准年营业收入").value == 0  # not unknown


def test_english_reasons() -> None:
    result = evaluate(enterprise(years=_hnte_years((5000, 5000, 5000), (245, 245, 245))))
    rd = condition(result, "hnte", "近三年研发费用")
    assert reason(rd, en=True) == (
        "R&D expense / revenue over three years 4.9% < 5% (last-year revenue ≤ 50 million yuan)"
    )


def test_prefilled_metrics_are_what_their_compute_functions_return() -> None:
    from innobridge.cultivation.tiers import metrics
    from innobridge.cultivation.tiers.jsonl import parse_enterprise

    for record in (enterprise(), enterprise(niche_share=None, founded="2023-02-01", certificates=None)):  # fmt: skip
        firm = parse_enterprise(record, "t")
        context = metrics.Context(firm, 2025)
        for name, value in context.values.items():
            assert metrics.METRICS[name].compute(metrics.Context(firm, 2025)) == value, name


def test_engine_imports_no_django() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import innobridge.cultivation.tiers.engine, innobridge.cultivation.tiers.vector,"
        " innobridge.cultivation.tiers.jsonl, innobridge.cultivation.tiers.describe;"
        " print(any(name.startswith('django') for name in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert done.stdout.strip() == "False"
