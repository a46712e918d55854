"""How scores combine, shared by the in-memory index and the streaming batch run.

Each score list (BM25, dense) is z-normalized over the whole corpus for the query and the lists
are added with equal weight; the structured constraints then add or take a fixed number of
standard deviations. No weight is tuned yet (the dev set comes first).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

FIELD_BOOST = 0.3  # σ added when the technology is in the demand's field
TRL_PENALTY = 0.5  # σ taken when it is less mature than the demand requires


def constraint_bonus(
    field: str | None, min_trl: int | None, doc_field: str | None, doc_trl: int | None
) -> float:
    bonus = 0.0
    if field and doc_field == field:
        bonus += FIELD_BOOST
    if min_trl is not None and doc_trl is not None and doc_trl < min_trl:
        bonus -= TRL_PENALTY
    return bonus


@dataclass
class RunningStats:
    """Mean and population standard deviation of a stream of scores."""

    count: int = 0
    total: float = 0.0
    squares: float = 0.0

    def add(self, value: float) -> None:
        self.count += 1
        self.total += value
        self.squares += value * value

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else 0.0

    @property
    def std(self) -> float:
        if not self.count:
            return 0.0
        return math.sqrt(max(self.squares / self.count - self.mean**2, 0.0))

    def z(self, value: float) -> float:
        spread = self.std
        return 0.0 if spread < 1e-12 else (value - self.mean) / spread
