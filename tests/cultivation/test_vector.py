"""The numpy batch evaluator gives the reference engine's verdicts, condition by condition."""

from __future__ import annotations

import copy
import random
from typing import Any

import numpy as np
import pytest

from innobridge.cultivation.tiers.jsonl import parse_enterprise
from innobridge.cultivation.tiers.metrics import METRICS
from innobridge.cultivation.tiers.vector import VECTOR_METRICS, VectorEngine
from tests.cultivation.helpers import ENGINE, enterprise, year

CODES = ["high_tech", "national_award", "provincial_rd_institution", "standard_lead", "provincial_award"]  # fmt: skip


def random_enterprise(rng: random.Random, index: int) -> dict[str, Any]:
    """Values near the thresholds, some unknown, some founded recently."""
    record = copy.deepcopy(enterprise(id=f"R{index}"))
    record["founded"] = rng.choice(["2010-05-01", "2014-01-01", "2019-06-30", "2020-01-01", "2022-07-01", "2023-03-01", "2024-02-01", None])  # fmt: skip
    record["certificates"] = rng.choice([None, [], rng.sample(CODES, 2)])
    record["innovation_expert_score"] = rng.choice([None, 50, 60, 65, 80])
    record["niche_share"] = rng.choice([None, 0.05, 0.10, 0.2])
    record["own_brand"] = rng.choice([None, True, False])
    record["registered_in_wuhan"] = rng.choice([None, True, True, False])
    record["listed"] = rng.choice([None, False, True])
    record["field"] = rng.choice([None, "laser", "生物与新医药", "tourism"])
    record["flags"] = {k: rng.choice([None, False, False, True]) for k in ("major_incident", "dishonest", "abnormal")}  # fmt: skip
    years = {}
    revenue = rng.choice([0, 400, 500, 1000, 2000, 5000, 12000, 60000, 150000])
    for y in ("2022", "2023", "2024"):
        if rng.random() < 0.1:
            continue  # a year not reported
        figures = year(revenue=revenue, main_revenue=revenue * rng.choice([0.5, 0.7, 0.95]),
                       hitech_revenue=revenue * rng.choice([0.5, 0.6, 0.9]), rd_expense=revenue * rng.choice([0, 0.02, 0.03, 0.05, 0.12]),
                       rd_expense_in_china=revenue * 0.02, total_cost=revenue * 0.8, profit=rng.choice([-10, 0, 50]),
                       employees=rng.choice([5, 100, 299, 300, 500, 501, 1200]), st_staff=rng.choice([0, 10, 30]),
                       rd_staff=rng.choice([1, 40]), assets=rng.choice([100, 20000, 20001]), liabilities=rng.choice([0, 50, 15000]),
                       ip_class1=rng.choice([0, 1, 2]), ip_class2=rng.choice([0, 3, 5]), conversions=rng.choice([0, 2, 6]),
                       equity_financing=rng.choice([0, 500, 6000]), valuation_musd=rng.choice([None, 50, 100, 1000, 1001]))  # fmt: skip
        for key in list(figures):
            if rng.random() < 0.03:
                figures[key] = None
        years[y] = figures
        revenue = revenue * rng.choice([1.0, 1.2, 1.5])
    record["years"] = years
    return record


def test_every_metric_has_a_column_form() -> None:
    assert set(METRICS) - {"score", "certificates"} <= set(VECTOR_METRICS)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_batch_verdicts_equal_the_reference_engine(seed: int) -> None:
    rng = random.Random(seed)
    records = [parse_enterprise(random_enterprise(rng, i), "t") for i in range(300)]
    batch = VectorEngine(ENGINE).evaluate(records, 2025)
    verdict = {True: 1, False: 0, None: -1}
    for k, record in enumerate(records):
        reference = ENGINE.evaluate(record, 2025)
        assert batch.tier[k] == reference.tier, record.id
        state = reference.programs["tsme"]._state
        for index, verdicts in batch.conditions.items():
            assert verdicts[k] == verdict[state.passed[index]], (record.id, index)
        for key, result in reference.programs.items():
            assert batch.qualifies[key][k] == verdict[result.qualifies], (record.id, key)
            if result.score is None:
                assert np.isnan(batch.score[key][k]), (record.id, key)
            else:
                assert batch.score[key][k] == pytest.approx(result.score), (record.id, key)
            assert batch.gap[key][k] == pytest.approx(result.gap), (record.id, key)
        for key, roster in reference.rosters.items():
            assert batch.rosters[key][k] == verdict[roster.passed]
