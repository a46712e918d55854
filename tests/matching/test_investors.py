"""Technology → investors on small literal inputs."""

from __future__ import annotations

from innobridge.matching.investors import Investor, Technology, rank_investors

INVESTORS = [
    Investor(
        "angel-laser", "vc", ("laser",), ("angel", "seed"), 100, 1000, "专注激光与光电早期项目"
    ),
    Investor("growth-laser", "pe", ("laser", "ic"), ("b", "c"), 3000, 30000, "成长期硬科技"),
    Investor("bio", "vc", ("biomed",), ("a",), 500, 5000, "生物医药"),
    Investor("bank", "bank", ("laser", "energy"), (), 50, 1000, "科技贷、知识产权质押贷"),
]


def test_early_laser_technology_goes_to_the_early_laser_fund() -> None:
    ranked = rank_investors(Technology("超快激光微加工样机", "laser", 4, amount=500), INVESTORS)
    assert ranked[0].id == "angel-laser"
    assert ranked[0].field_match
    assert ranked[0].stage_match == "angel"
    assert ranked[0].ticket_fit is True
    assert ranked[-1].id == "bio"
    assert not ranked[-1].field_match


def test_mature_technology_fits_growth_equity_and_bank_loans() -> None:
    ranked = rank_investors(
        Technology("万瓦级激光切割装备量产", "laser", 8, amount=5000), INVESTORS
    )
    top = {m.id: m for m in ranked[:2]}
    assert set(top) == {"growth-laser", "bank"}
    assert top["growth-laser"].ticket_fit is True
    assert top["bank"].stage_match == "debt"
    assert top["bank"].ticket_fit is False
