"""Fuse ranked lists by reciprocal rank, then apply the structured constraints."""

from __future__ import annotations

from dataclasses import dataclass

RRF_K = 60
FIELD_BOOST = 0.002  # same field as the demand (≈ a few ranks up)
TRL_PENALTY = 0.002  # maturity below what the demand requires (≈ a few ranks down)


@dataclass(frozen=True)
class Candidate:
    id: str
    field: str | None
    trl: int | None


def fuse(
    lists: list[list[str]],
    pool: list[Candidate],
    *,
    field: str | None = None,
    min_trl: int | None = None,
) -> list[tuple[str, float]]:
    """(id, score) best first; ties keep the order of the first list."""
    scores = {candidate.id: 0.0 for candidate in pool}
    for ranked in lists:
        for rank, supply_id in enumerate(ranked, start=1):
            scores[supply_id] = scores.get(supply_id, 0.0) + 1.0 / (RRF_K + rank)
    by_id = {candidate.id: candidate for candidate in pool}
    for supply_id in scores:
        candidate = by_id.get(supply_id)
        if candidate is None:
            continue
        if field and candidate.field == field:
            scores[supply_id] += FIELD_BOOST
        if min_trl is not None and candidate.trl is not None and candidate.trl < min_trl:
            scores[supply_id] -= TRL_PENALTY
    first = {supply_id: i for i, supply_id in enumerate(lists[0])} if lists else {}
    return sorted(scores.items(), key=lambda item: (-item[1], first.get(item[0], len(first))))
