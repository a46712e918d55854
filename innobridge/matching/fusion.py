"""How scores combine, shared by the in-memory index and the streaming batch run.

Each score list (BM25, dense) is z-normalized over the whole corpus for the query. The lexical
list is weighted by how much of the query's own wording occurs in the corpus at all (its
*coverage*): a specialist demand or a keyword query is written in the documents' words and BM25
is trusted fully; a plain-language description ("切出来的口子全是毛刺") mostly uses words no
technology summary contains, its few lexical hits are noise, and the dense model leads. The
structured constraints then add or take a fixed number of standard deviations. The two numbers
below were chosen on the dev set (bench/data) and checked on patents-zh.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

FIELD_BOOST = 0.3  # σ added when the technology is in the demand's field
LEXICAL_FLOOR = 0.2  # the lexical weight never drops below this
FULL_COVERAGE = 1.0  # coverage at which BM25 counts fully
TRL_PENALTY = 1.0  # σ taken when it is less mature than the demand requires


def coverage(tokens: list[str], document_frequency: Callable[[str], int]) -> float:
    """Share of the query's distinct words (two characters or more) found in the corpus."""
    words = [t for t in dict.fromkeys(tokens) if len(t) >= 2]
    if not words:
        return 0.0
    return sum(1 for t in words if document_frequency(t) > 0) / len(words)


def lexical_weight(query_coverage: float) -> float:
    """Weight of the BM25 list beside the dense list (which weighs 1)."""
    return min(1.0, max(LEXICAL_FLOOR, query_coverage / FULL_COVERAGE))


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
