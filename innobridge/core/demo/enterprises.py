"""Demo yearly figures (2020–2024) and cultivation profiles for every demo enterprise.

Each enterprise follows an archetype drawn from its size and age — a start-up, a fast grower
(瞪羚-like), a steady SME, a large firm or one of a handful of unicorn-like scale-ups — and its
figures are generated year by year from that path, so ratios, growth and headcounts hang
together and the tier ladder, rosters and watchlist look like a real city's.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from innobridge.orgs.models import Organization

YEARS = (2020, 2021, 2022, 2023, 2024)


def _money(value: float) -> Decimal:
    return Decimal(f"{max(value, 0.0):.2f}")


def _archetype(rng: random.Random, org: Organization) -> str:
    founded = org.founded or datetime.date(2010, 1, 1)
    if org.size == "large":
        return "large"
    if founded.year >= 2020:
        return rng.choices(["startup", "growth"], weights=[85, 15])[0]
    if org.size == "micro":
        return rng.choices(["startup", "steady"], weights=[60, 40])[0]
    if founded.year >= 2014 and rng.random() < 0.012:
        return "unicorn"
    return rng.choices(["steady", "growth"], weights=[72, 28])[0]


def enterprise_figures(rng: random.Random, org: Organization) -> tuple[dict[str, Any], list[dict[str, Any]]]:  # fmt: skip
    """(profile fields, yearly record fields) for one enterprise."""
    kind = _archetype(rng, org)
    founded = org.founded or datetime.date(2010, 1, 1)
    revenue = {
        "startup": rng.uniform(30, 600),
        "growth": rng.uniform(600, 12000),
        "steady": rng.uniform(1500, 18000),
        "large": rng.uniform(25000, 420000),
        "unicorn": rng.uniform(8000, 60000),
    }[kind]
    growth_mean = {"startup": 0.45, "growth": 0.32, "steady": 0.06, "large": 0.08, "unicorn": 0.55}[kind]  # fmt: skip
    rd_ratio = {"startup": rng.uniform(0.04, 0.30), "growth": rng.uniform(0.03, 0.12),
                "steady": rng.uniform(0.01, 0.08), "large": rng.uniform(0.025, 0.09),
                "unicorn": rng.uniform(0.10, 0.35)}[kind]  # fmt: skip
    st_share = rng.uniform(0.06, 0.65) if kind != "large" else rng.uniform(0.10, 0.35)
    hitech_share = rng.uniform(0.35, 0.97)
    main_share = rng.uniform(0.62, 0.99)
    output_per_head = rng.uniform(35, 130)
    leverage = rng.uniform(0.15, 0.78)
    ip1, ip2 = rng.choice((0, 0, 0, 1, 1, 2, 3)), rng.randint(0, 6)
    valuation = 0.0
    if kind == "unicorn":
        valuation = rng.uniform(600, 3200)
    elif kind in ("startup", "growth") and rng.random() < 0.3:
        valuation = rng.uniform(10, 400)
    records = []
    for year in YEARS:
        if year < founded.year:
            continue
        share_of_year = 1.0 if year > founded.year else max(0.1, (12 - founded.month) / 12)
        this_revenue = revenue * share_of_year
        rd = this_revenue * rd_ratio * rng.uniform(0.85, 1.15)
        employees = max(4, round(this_revenue / output_per_head) + rng.randint(0, 6))
        if kind == "startup":
            employees = max(employees, rng.randint(6, 40))
        st_staff = min(employees, round(employees * st_share))
        assets = this_revenue * rng.uniform(0.9, 1.8) + rng.uniform(50, 400)
        cost = this_revenue * rng.uniform(0.78, 1.04) + rd * 0.2
        financing = 0.0
        if kind in ("startup", "growth", "unicorn") and rng.random() < {"startup": 0.18, "growth": 0.22, "unicorn": 0.7}[kind]:  # fmt: skip
            financing = rng.choice((300, 500, 800, 1500, 3000, 6000)) * (8 if kind == "unicorn" else 1)  # fmt: skip
        if year >= 2022 and rng.random() < 0.25:
            ip1 += rng.random() < 0.3
            ip2 += rng.randint(0, 2)
        records.append({
            "year": year,
            "revenue": _money(this_revenue),
            "main_revenue": _money(this_revenue * main_share),
            "hitech_revenue": _money(this_revenue * hitech_share),
            "rd_expense": _money(rd),
            "rd_expense_in_china": _money(rd * rng.uniform(0.82, 1.0)),
            "total_cost": _money(cost),
            "profit": Decimal(f"{this_revenue - cost:.2f}"),
            "employees": employees,
            "st_staff": st_staff,
            "rd_staff": min(st_staff, round(st_staff * rng.uniform(0.5, 0.95))),
            "assets": _money(assets),
            "liabilities": _money(assets * leverage),
            "ip_class1": ip1,
            "ip_class2": ip2,
            "conversions": rng.choice((0, 0, 1, 1, 2, 3, 4, 5, 6)),
            "equity_financing": _money(financing),
            "valuation_musd": _money(valuation * (1 + 0.3 * (year - 2020))) if valuation else None,
        })  # fmt: skip
        revenue *= 1 + rng.gauss(growth_mean, 0.12 if kind != "steady" else 0.08)
        revenue = max(revenue, 20)
        hitech_share = min(0.98, max(0.2, hitech_share + rng.uniform(-0.05, 0.05)))
    if records and rng.random() < 0.02:  # a few reports with a gap, to show "数据缺失"
        records[-1]["rd_expense_in_china"] = None
    last: dict[str, Any] = records[-1] if records else {}
    rd_ok = bool(last) and last["rd_expense"] >= last["revenue"] * Decimal("0.03")
    certificates = []
    if rd_ok and st_share >= 0.1 and hitech_share >= 0.6 and rng.random() < 0.8:
        certificates.append("high_tech")
    if kind in ("startup", "growth", "steady") and rng.random() < 0.45:
        certificates.append("tsme")
    if kind in ("growth", "steady") and rng.random() < 0.12:
        certificates.append("srdi")
    if rng.random() < 0.04:
        certificates.append(rng.choice(("national_award", "provincial_award", "provincial_rd_institution", "standard_lead")))  # fmt: skip
    profile = {
        "registered_in_wuhan": rng.random() < 0.96,
        "listed": kind == "large" and rng.random() < 0.35,
        "certificates": sorted(certificates),
        "major_incident": rng.random() < 0.01,
        "dishonest": rng.random() < 0.015,
        "abnormal": rng.random() < 0.02,
        "innovation_expert_score": rng.randint(48, 80) if rng.random() < 0.7 else None,
        "niche_share": Decimal(f"{rng.uniform(3, 25):.2f}")
        if kind in ("growth", "steady") and rng.random() < 0.3
        else None,  # fmt: skip
        "own_brand": (rng.random() < 0.7) if kind in ("growth", "steady", "large") else None,
    }
    return profile, records
