"""Technology → investors: rank funds and banks by their stated preferences, with reasons.

Preferences are structured (fields, stages, ticket size), so the score is mostly rules: the
field must be one the investor follows, the technology's maturity implies a financing stage that
should be one the investor invests in, and an asked amount should fall within the ticket range.
Text similarity of the investor's own description breaks ties.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from innobridge.matching.explain import worth_showing
from innobridge.matching.text import tokenize

FIELD_WEIGHT = 2.0
STAGE_WEIGHT = 1.0
TICKET_WEIGHT = 0.5
TEXT_WEIGHT = 0.5

# Maturity (TRL) → the financing stages that usually fit it.
STAGES_FOR_TRL: dict[int, tuple[str, ...]] = {
    1: ("seed",), 2: ("seed",), 3: ("seed", "angel"), 4: ("angel", "seed"),
    5: ("angel", "a"), 6: ("a", "angel"), 7: ("a", "b"), 8: ("b", "c", "growth"),
    9: ("c", "growth", "pre_ipo"),
}  # fmt: skip
DEBT_KINDS = ("bank", "guarantee")  # lend against revenue and IP: suit mature technologies


@dataclass(frozen=True)
class Technology:
    text: str
    field: str
    trl: int
    amount: float | None = None  # 万元 sought, when known


@dataclass(frozen=True)
class Investor:
    id: str
    kind: str
    fields: tuple[str, ...]
    stages: tuple[str, ...]
    ticket_min: float | None
    ticket_max: float | None
    text: str = ""


@dataclass(frozen=True)
class InvestorMatch:
    id: str
    score: float
    field_match: bool
    stage_match: str | None  # the fitting stage, if any
    ticket_fit: bool | None  # None when no amount is known
    shared_terms: tuple[str, ...] = ()
    parts: dict[str, float] = field(default_factory=dict)


def rank_investors(
    technology: Technology, investors: list[Investor], *, k: int = 10
) -> list[InvestorMatch]:
    wanted_stages = STAGES_FOR_TRL.get(technology.trl, ())
    tech_terms = set(tokenize(technology.text))
    results = []
    for position, investor in enumerate(investors):
        parts: dict[str, float] = {}
        field_match = technology.field in investor.fields
        if field_match:
            parts["field"] = FIELD_WEIGHT
        stage = next((s for s in wanted_stages if s in investor.stages), None)
        if investor.kind in DEBT_KINDS and technology.trl >= 7:
            stage = stage or "debt"
        if stage:
            parts["stage"] = STAGE_WEIGHT
        ticket_fit = None
        if technology.amount is not None:
            low = investor.ticket_min if investor.ticket_min is not None else 0.0
            high = investor.ticket_max if investor.ticket_max is not None else float("inf")
            ticket_fit = low <= technology.amount <= high
            if ticket_fit:
                parts["ticket"] = TICKET_WEIGHT
        # the technology's words, not the form's (关注…领域的企业、项目 is in every profile)
        shared = [t for t in _distinct_terms(investor.text) if t in tech_terms and worth_showing(t)]
        if shared:
            parts["text"] = TEXT_WEIGHT * min(len(shared), 4) / 4
        score = sum(parts.values())
        results.append(
            (
                -score,
                position,
                InvestorMatch(
                    investor.id, score, field_match, stage, ticket_fit, tuple(shared[:4]), parts
                ),
            )
        )
    results.sort(key=lambda item: (item[0], item[1]))
    return [match for _score, _position, match in results[:k]]


@lru_cache(maxsize=8192)
def _distinct_terms(text: str) -> tuple[str, ...]:
    """An investor's terms in order, segmented once per text (every technology page ranks all
    the investors a user may see: segmenting them each time took ~25 ms of the page)."""
    return tuple(dict.fromkeys(tokenize(text)))
