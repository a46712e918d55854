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


def test_only_technology_words_count_as_shared_with_a_profile() -> None:
    """Every profile says 关注…领域的企业和项目; sharing that with a technology is no reason to
    recommend the investor, nor to name it."""
    investors = [
        Investor("form", "vc", ("energy",), ("a",), 100, 1000, "重点关注领域内的企业和项目"),
        Investor("laser", "vc", ("energy",), ("a",), 100, 1000, "关注激光清洗领域的企业和项目"),
    ]
    technology = Technology("手持式激光清洗机研制：本项目面向船舶企业，应用领域广", "laser", 6, amount=500)  # fmt: skip
    ranked = {m.id: m for m in rank_investors(technology, investors)}
    assert ranked["form"].shared_terms == ()
    assert "text" not in ranked["form"].parts
    assert "激光清洗" in ranked["laser"].shared_terms
    assert not {"领域", "企业", "项目"} & set(ranked["laser"].shared_terms)
