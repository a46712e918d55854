"""The domain dictionary: technology concepts with their acronyms, synonyms and lay expressions.

Curated by hand per field in ``innobridge/matching/lexicon/<field>.tsv`` (never from benchmark
data). Segmentation keeps every term and alias whole; matching maps an alias to its concept, so
"切口毛刺" in a factory manager's demand meets "挂渣" in a technology summary, and the explanation
says which alias matched which term.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LEXICON_DIR = Path(__file__).resolve().parent / "lexicon"
KINDS = ("acronym", "synonym", "lay")


class LexiconError(ValueError):
    """A lexicon file line is malformed; the message names the file and the line."""


@dataclass(frozen=True)
class Concept:
    field: str
    term: str
    aliases: tuple[tuple[str, str], ...]  # (alias, kind)


def _clean(text: str) -> str:
    import unicodedata

    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def read_lexicon(path: Path) -> list[Concept]:
    concepts: list[Concept] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        columns = line.split("\t")
        if len(columns) > 4 or not columns[0].strip():
            raise LexiconError(f"{path.name} line {number}: expected term<TAB>acronyms<TAB>synonyms<TAB>lay")  # fmt: skip
        term = _clean(columns[0])
        aliases: list[tuple[str, str]] = []
        for kind, cell in zip(KINDS, columns[1:], strict=False):
            for alias in cell.split("|"):
                alias = _clean(alias)
                if alias and alias != term:
                    aliases.append((alias, kind))
        concepts.append(Concept(path.stem, term, tuple(dict.fromkeys(aliases))))
    return concepts


@lru_cache(maxsize=1)
def concepts() -> tuple[Concept, ...]:
    found: list[Concept] = []
    for path in sorted(LEXICON_DIR.glob("*.tsv")):
        found.extend(read_lexicon(path))
    return tuple(found)


@lru_cache(maxsize=1)
def alias_map() -> dict[str, tuple[str, str]]:
    """alias → (canonical term, kind); the first concept to claim an alias keeps it."""
    mapping: dict[str, tuple[str, str]] = {}
    for concept in concepts():
        for alias, kind in concept.aliases:
            mapping.setdefault(alias, (concept.term, kind))
    return mapping


@lru_cache(maxsize=1)
def alias_concepts() -> dict[str, tuple[str, ...]]:
    """alias → every concept that claims it, first claim first: an everyday word can name
    several things ("漏气" is a leaking pneumatic part and a gas leak to detect), and a demand
    that uses it searches for all of them."""
    mapping: dict[str, list[str]] = {}
    for concept in concepts():
        for alias, _kind in concept.aliases:
            terms = mapping.setdefault(alias, [])
            if concept.term not in terms:
                terms.append(concept.term)
    return {alias: tuple(terms) for alias, terms in mapping.items()}


@lru_cache(maxsize=1)
def lay_by_concept() -> dict[str, tuple[str, ...]]:
    """concept → its lay expressions, in the lexicon's order (a term that two fields list has
    both lists, the first field's first)."""
    mapping: dict[str, list[str]] = {}
    for concept in concepts():
        lay = mapping.setdefault(concept.term, [])
        lay.extend(alias for alias, kind in concept.aliases if kind == "lay")
    return {term: tuple(lay) for term, lay in mapping.items()}


@lru_cache(maxsize=1)
def lexicon_digest() -> str:
    """What the shipped dictionary says, as a hex digest of its files: what was derived from it
    (segmented tokens, lay-expanded vectors) is derived again when it changes."""
    import hashlib

    digest = hashlib.sha1(usedforsecurity=False)
    for path in sorted(LEXICON_DIR.glob("*.tsv")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def entry_count() -> int:
    """Dictionary entries: every concept and every alias."""
    return sum(1 + len(c.aliases) for c in concepts())
