"""Project → expert affinity for reviewer assignment: a matrix in [0, 1] with reasons per pair.

An expert's profile is their keywords (counted twice), field and the titles of their own
projects and papers. Each project is scored against every profile by BM25, scaled by the best
expert for that project, and blended with whether the fields agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from innobridge.matching.explain import worth_showing
from innobridge.matching.lexical import FastBM25
from innobridge.matching.text import tokenize

TEXT_WEIGHT = 0.7
FIELD_WEIGHT = 0.3


@dataclass(frozen=True)
class ExpertProfile:
    id: str
    field: str | None
    keywords: str
    works: str = ""  # titles of own projects and papers


@dataclass(frozen=True)
class ProjectProfile:
    id: str
    field: str | None
    text: str


@dataclass(frozen=True)
class Affinity:
    """``matrix[i, j]``: how well expert j suits project i (0 = not at all, 1 = best)."""

    project_ids: list[str]
    expert_ids: list[str]
    matrix: npt.NDArray[np.float64]
    project_tokens: list[set[str]]
    expert_tokens: list[set[str]]
    project_fields: list[str | None]
    expert_fields: list[str | None]

    def reasons(self, i: int, j: int) -> tuple[tuple[str, ...], bool]:
        """Shared terms and whether the fields agree, for project i and expert j."""
        shared = sorted(
            t for t in self.project_tokens[i] & self.expert_tokens[j] if worth_showing(t)
        )
        same_field = (
            bool(self.project_fields[i]) and self.project_fields[i] == self.expert_fields[j]
        )
        return tuple(shared[:6]), same_field

    def top(self, i: int, k: int = 10) -> list[tuple[str, float]]:
        order = np.argsort(-self.matrix[i], kind="stable")[:k]
        return [(self.expert_ids[j], float(self.matrix[i, j])) for j in order]


def affinity(projects: list[ProjectProfile], experts: list[ExpertProfile]) -> Affinity:
    expert_tokens = [tokenize(f"{e.keywords} {e.keywords} {e.works}") for e in experts]
    project_tokens = [tokenize(p.text) for p in projects]
    lexical = np.zeros((len(projects), len(experts)))
    if experts and any(expert_tokens):
        index = FastBM25(k1=1.2, b=0.75)
        index.index([t or [""] for t in expert_tokens], show_progress=False)
        for i, tokens in enumerate(project_tokens):
            if tokens:
                lexical[i] = index.get_scores(tokens)
    best = lexical.max(axis=1, keepdims=True) if experts else np.zeros((len(projects), 1))
    scaled = np.divide(lexical, best, out=np.zeros_like(lexical), where=best > 0)
    same_field = np.array(
        [[float(bool(p.field) and p.field == e.field) for e in experts] for p in projects]
    ).reshape(len(projects), len(experts))
    matrix = TEXT_WEIGHT * scaled + FIELD_WEIGHT * same_field
    return Affinity(
        [p.id for p in projects],
        [e.id for e in experts],
        matrix,
        [set(t) for t in project_tokens],
        [set(t) for t in expert_tokens],
        [p.field for p in projects],
        [e.field for e in experts],
    )
