"""The shipped domain dictionary and how matching uses it (aliases meet their concept)."""

from __future__ import annotations

from pathlib import Path

import pytest

from innobridge.core.choices import TechField
from innobridge.core.demo import phrases
from innobridge.matching.dictionary import (
    LEXICON_DIR,
    LexiconError,
    alias_concepts,
    alias_map,
    concepts,
    entry_count,
    lay_by_concept,
    read_lexicon,
)
from innobridge.matching.engine import Document, MatchIndex, MatchQuery
from innobridge.matching.fusion import FULL_COVERAGE, LEXICAL_FLOOR, coverage, lexical_weight
from innobridge.matching.text import (
    LAY_EXPANSION_MAX,
    document_tokens,
    lay_expansion,
    lay_expressions,
    lay_hits,
    normalize,
    query_tokens,
    tokenize,
)


def test_dictionary_covers_every_field_with_2000_entries() -> None:
    assert {path.stem for path in LEXICON_DIR.glob("*.tsv")} == set(TechField.values)
    assert entry_count() >= 2000
    per_field: dict[str, int] = {}
    for concept in concepts():
        per_field[concept.field] = per_field.get(concept.field, 0) + 1
    assert min(per_field.values()) >= 100
    kinds = {kind for concept in concepts() for _alias, kind in concept.aliases}
    assert kinds == {"acronym", "synonym", "lay"}


def test_every_phrase_bank_term_is_in_the_dictionary() -> None:
    known = {c.term for c in concepts()} | set(alias_map())
    missing = [t for bank in phrases.FIELD_BANK.values() for t in bank["terms"] if normalize(t) not in known]  # fmt: skip
    assert len(missing) <= len([t for b in phrases.FIELD_BANK.values() for t in b["terms"]]) // 20, missing  # fmt: skip


def test_an_alias_also_yields_its_concept() -> None:
    aliases = alias_map()
    alias, (term, _kind) = next((a, v) for a, v in aliases.items() if " " not in a and a.isascii() and len(a) > 2)  # fmt: skip
    tokens = tokenize(f"我们需要{alias}方案")
    assert alias in tokens
    assert term in tokens


def test_an_everyday_word_claimed_by_several_concepts_searches_them_all() -> None:
    shared = {alias: terms for alias, terms in alias_concepts().items() if len(terms) > 1}
    assert shared  # e.g. 漏气: a leaking pneumatic part, and a gas leak to detect
    alias, terms = next((a, t) for a, t in shared.items() if " " not in a and len(a) >= 2)
    tokens = tokenize(f"车间里{alias}")
    assert set(terms) <= set(tokens)
    assert alias_map()[alias][0] == terms[0]  # the first claim stays the alias' main concept


def test_a_lay_word_meets_the_technical_term_and_the_explanation_says_so() -> None:
    lay = [(a, term) for a, (term, kind) in alias_map().items() if kind == "lay" and " " not in a and len(a) >= 3]  # fmt: skip
    alias, term = lay[len(lay) // 2]
    assert term not in surface_tokens_of(alias)  # really different words
    documents = [
        Document("T1", f"面向工业现场的{term}成套方案，已在多家企业应用。"),
        Document("T2", "一种用于农业灌溉的水泵控制装置。"),
        Document("T3", "城市道路照明节能改造方案。"),
    ]
    matches = MatchIndex(documents).search(MatchQuery(f"车间里{alias}，想找人帮忙解决"), k=1)
    assert matches[0].id == "T1"
    assert term in matches[0].explanation.shared_terms
    assert (term, alias, term) in matches[0].explanation.synonyms


def test_every_lay_expression_in_a_demand_searches_its_concepts() -> None:
    """Lay expressions are found in the demand's text as written, whatever the words around
    them: none is lost to the segmenter gluing its first or last character to a neighbour."""
    lay_only = lay_expressions()
    assert len(lay_only) > 1000
    missed = [
        alias
        for alias in sorted(lay_only)
        if not set(alias_concepts()[alias]) <= set(query_tokens(f"厂里反映：{alias}。很头疼"))
    ]
    assert missed == []
    # and a specialist summary is still indexed under its own words, not under lay phrasing
    alias = next(a for a in sorted(lay_only) if len(a) >= 4)
    assert alias not in document_tokens(f"本项目{alias}问题")


def test_the_boilerplate_of_a_demand_form_names_no_concept() -> None:
    """Words every demand form holds ("拟征集采用…", "委托研发") must not read as a lay
    expression: "集采" inside "征集采用" made every demand search for 仿制药 and say so."""
    form = "拟征集采用激光清洗等技术的解决方案，可采用技术许可、合作开发或委托研发等方式合作。"
    assert lay_hits(form) == []
    assert not {"仿制药", "医药研发生产外包"} & set(query_tokens(form))


def surface_tokens_of(text: str) -> list[str]:
    from innobridge.matching.text import surface_tokens

    return surface_tokens(text)


def test_malformed_lexicon_line_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "laser.tsv"
    path.write_text("# comment\n激光切割\tlaser cutting\t激光下料\t下料\n\tX\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="laser.tsv line 3"):
        read_lexicon(path)
    path.write_text("激光切割\tLaser Cutting|LC\t激光下料|\t切口毛刺|下料\n", encoding="utf-8")
    (concept,) = read_lexicon(path)
    assert concept.term == "激光切割"
    assert ("laser cutting", "acronym") in concept.aliases
    assert ("切口毛刺", "lay") in concept.aliases


def test_lexical_weight_follows_how_much_of_the_query_the_corpus_knows() -> None:
    df = {"激光切割": 3, "厚板": 2}.get
    assert coverage(["激光切割", "厚板"], lambda t: df(t) or 0) == 1.0
    assert coverage(["激光切割", "顾不过来", "趴到", "井盖"], lambda t: df(t) or 0) == 0.25
    assert lexical_weight(1.0) == 1.0
    assert lexical_weight(0.0) == LEXICAL_FLOOR
    assert lexical_weight(FULL_COVERAGE / 2) == pytest.approx(0.5)


LASER = "万瓦级光纤激光厚板切割装备。30毫米碳钢切割断面光滑，免打磨。"


def test_a_technology_is_read_again_with_the_lay_wordings_of_its_concepts() -> None:
    """The dense model reads "厚板切割" a second time as a factory manager would put it."""
    expanded = lay_expansion(LASER)
    assert expanded.startswith(LASER + "。")
    wordings = expanded[len(LASER) + 1 :].split("，")
    assert "厚板切不动" in wordings  # 厚板切割's lay expression
    assert "人工去毛刺" in wordings  # and 打磨's: every concept named, not only the first
    assert len(wordings) == len(set(wordings))
    by_concept = lay_by_concept()
    assert set(wordings) <= {w for term in by_concept for w in by_concept[term]}
    # each concept gives one wording before any gives a second
    first = next(t for t in document_tokens(LASER) if by_concept.get(t))
    assert wordings[0] == by_concept[first][0]
    assert wordings[1] not in by_concept[first]
    # a text that names no concept is read as written
    assert lay_expansion("今天下午三点在三楼会议室开会") == "今天下午三点在三楼会议室开会"


def test_the_lay_reading_of_a_long_text_is_bounded() -> None:
    many = "。".join(c.term for c in concepts() if any(k == "lay" for _a, k in c.aliases))[:3000]
    wordings = lay_expansion(many)[len(many) + 1 :].split("，")
    assert len(wordings) == LAY_EXPANSION_MAX
