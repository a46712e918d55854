"""The pure engine: ranking, constraints and explanations on small literal inputs."""

from __future__ import annotations

import numpy as np

from innobridge.matching.engine import Document, MatchIndex, MatchQuery
from innobridge.matching.fusion import FIELD_BOOST, TRL_PENALTY
from innobridge.matching.text import normalize, tokenize

DOCS = [
    Document("cut", "万瓦级光纤激光切割装备。面向船舶中厚板切割，断面光滑无挂渣。", "laser", 7),
    Document("ir", "红外热像仪。用于变电站设备巡检，自动发现过热点。", "infrared", 6),
    Document("plan", "厚板激光切割工艺包。中厚板激光切割参数库，减少挂渣。", "laser", 4),
    Document("bat", "兆瓦级液冷储能系统。储能电站热失控早期预警。", "energy", 8),
]


def test_normalize_and_tokenize_keep_domain_terms_whole() -> None:
    assert normalize("ＬｉＤＡＲ　激光雷达") == "lidar 激光雷达"
    tokens = tokenize("厚板切割断面挂渣严重，需要激光焊接方案")
    assert "厚板切割" in tokens
    assert "激光焊接" in tokens
    assert "，" not in tokens
    assert "需要" not in tokens


def test_best_match_first_with_shared_terms_explained() -> None:
    results = MatchIndex(DOCS).search(MatchQuery("变电站设备过热，想用红外热像仪巡检"), k=2)
    assert results[0].id == "ir"
    assert "红外热像仪" in results[0].explanation.shared_terms
    assert results[0].explanation.parts["bm25"] > 0


def test_trl_and_field_constraints_move_results_and_are_reported() -> None:
    index = MatchIndex(DOCS)
    plain = {m.id: m.score for m in index.search(MatchQuery("厚板激光切割挂渣"), k=4)}
    query = MatchQuery("厚板激光切割挂渣", field="laser", min_trl=6)
    constrained = {m.id: m for m in index.search(query, k=4)}
    # the less mature tool falls back, the mature one in the same field moves up
    assert constrained["plan"].score - constrained["cut"].score < plain["plan"] - plain["cut"]
    assert constrained["plan"].explanation.parts["constraints"] == FIELD_BOOST - TRL_PENALTY
    assert constrained["bat"].score < plain["bat"] + 1e-9
    checks = {c.kind: c for c in constrained["plan"].explanation.constraints}
    assert (checks["trl"].met, checks["trl"].actual, checks["trl"].wanted) == (False, 4, 6)
    assert checks["field"].met
    assert not {c.kind: c for c in constrained["bat"].explanation.constraints}["field"].met


def test_allowed_filter_and_empty_corpus() -> None:
    index = MatchIndex(DOCS)
    results = index.search(MatchQuery("激光切割"), k=4, allowed=lambda doc_id: doc_id != "plan")
    assert "plan" not in [m.id for m in results]
    assert len(results) == 3
    assert MatchIndex([]).search(MatchQuery("激光")) == []


def test_top_k_selection_matches_a_full_stable_sort() -> None:
    from innobridge.matching.engine import _best_first

    rng = np.random.default_rng(5)
    scores = np.round(rng.standard_normal(5000), 1)  # many ties
    full = np.lexsort((np.arange(5000), -scores)).tolist()
    assert list(_best_first(scores, 10)) == full
    assert list(_best_first(scores, 4000)) == full


class _Vectors:
    """Query vectors given by hand (the documents' are passed to the index)."""

    name = "fixed"

    def __init__(self, vectors: dict[str, list[float]]) -> None:
        self.vectors = vectors

    def queries(self, texts: list[str]) -> np.ndarray:
        return np.array([self.vectors[t] for t in texts], dtype=np.float32)

    def passages(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError


def _unit(*rows: list[float]) -> np.ndarray:
    matrix = np.array(rows, dtype=np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


FEEDBACK_DOCS = [
    Document("cut", "万瓦级光纤激光切割装备。中厚板切割断面光滑无挂渣，穿孔快。", "laser", 7),
    Document("head", "激光切割头与随动调高系统。厚板切割穿孔稳定，断面无挂渣。", "laser", 7),
    Document("bat", "兆瓦级液冷储能系统。储能电站热失控早期预警。", "energy", 8),
    Document("ir", "红外热像仪。用于变电站设备巡检，自动发现过热点。", "infrared", 6),
    Document("solar", "光伏组件清洗机器人。光伏电站组件自动清洗，提升发电量。", "energy", 7),
]
FEEDBACK_VECTORS = _unit(
    [1.0, 0.1, 0.0, 0.0], [0.6, 0.2, 0.5, 0.0], [0.0, 1.0, 0.1, 0.0], [0.0, 0.1, 1.0, 0.2], [0.1, 0.0, 0.2, 1.0]
)  # fmt: skip


def test_a_query_is_encoded_once_however_often_it_is_asked() -> None:
    """Encoding a demand costs e5 tens of milliseconds: a page opened again, or a search that
    falls back from the candidates to every document, reuses the vector; another model (two
    indexes may hold different vectors under one name) encodes its own."""

    class Counting(_Vectors):
        def __init__(self, vectors: dict[str, list[float]]) -> None:
            super().__init__(vectors)
            self.asked = 0

        def queries(self, texts: list[str]) -> np.ndarray:
            self.asked += len(texts)
            return super().queries(texts)

    plain = "船厂下的钢板口子坑坑洼洼，师傅还得返工"
    first, second = Counting({plain: [0.9, 0.0, 0.3, 0.0]}), Counting({plain: [0.0, 0.1, 1.0, 0.2]})
    index = MatchIndex(FEEDBACK_DOCS, vectors=FEEDBACK_VECTORS, embedder=first)
    other = MatchIndex(FEEDBACK_DOCS, vectors=FEEDBACK_VECTORS, embedder=second)
    found = [index.search(MatchQuery(plain), k=3) for _ in range(3)]
    assert first.asked == 1
    assert found[0] == found[2]
    assert other.search(MatchQuery(plain), k=1)[0].id == "ir"  # its own vector, not the first's
    assert second.asked == 1


def test_a_plain_demand_gets_feedback_and_expansion_terms_stay_apart_from_shared_ones() -> None:
    from innobridge.matching.text import query_tokens

    plain = "船厂下的钢板口子坑坑洼洼，师傅还得返工"  # hardly a word the corpus knows
    embedder = _Vectors({plain: [0.9, 0.0, 0.3, 0.0]})
    index = MatchIndex(FEEDBACK_DOCS, vectors=FEEDBACK_VECTORS, embedder=embedder)
    results = index.search(MatchQuery(plain), k=3)
    assert results[0].id == "cut"
    asked = set(query_tokens(plain))
    for match in results:
        assert "feedback" in match.explanation.parts
        assert abs(match.score - sum(match.explanation.parts.values())) < 1e-9
        # expansion terms came from the best matches, not from the demand: never "shared"
        assert not set(match.explanation.expanded_terms) & asked
        assert not set(match.explanation.expanded_terms) & set(match.explanation.shared_terms)
        assert set(match.explanation.shared_terms) <= asked
    # the best match's own distinctive words reach its neighbour, which the demand never used
    head = next(m for m in results if m.id == "head")
    assert {"挂渣", "穿孔"} & set(head.explanation.expanded_terms)


def test_a_demand_in_the_corpus_words_gets_no_feedback() -> None:
    text = "厚板激光切割断面挂渣"
    embedder = _Vectors({text: [1.0, 0.0, 0.2, 0.0]})
    index = MatchIndex(FEEDBACK_DOCS, vectors=FEEDBACK_VECTORS, embedder=embedder)
    for match in index.search(MatchQuery(text), k=5):
        assert "feedback" not in match.explanation.parts
        assert match.explanation.expanded_terms == ()
    lexical_only = MatchIndex(FEEDBACK_DOCS)  # no dense list: nothing to feed back from either
    for match in lexical_only.search(MatchQuery("船厂下的钢板口子坑坑洼洼"), k=5):
        assert "feedback" not in match.explanation.parts


def test_no_feedback_when_the_best_matches_disagree_on_the_field() -> None:
    """Best matches spread over laser, energy and infrared are not about one thing: expanding
    from them would drift, so the first ranking stands and no reason names expansion terms."""
    from innobridge.matching.fusion import FEEDBACK_AGREEMENT, head_agreement

    vague = "厂里有些老问题一直解决不了，想找人看看"
    embedder = _Vectors({vague: [0.0, 1.0, 1.0, 0.0]})  # storage (energy) as near as infrared
    index = MatchIndex(FEEDBACK_DOCS, vectors=FEEDBACK_VECTORS, embedder=embedder)
    results = index.search(MatchQuery(vague), k=5)
    for match in results:
        assert "feedback" not in match.explanation.parts
        assert match.explanation.expanded_terms == ()
        assert abs(match.score - sum(match.explanation.parts.values())) < 1e-9
    assert [m.score for m in results] == sorted((m.score for m in results), reverse=True)
    assert head_agreement(["laser", "energy", "infrared"], [0.4, 0.35, 0.25]) < FEEDBACK_AGREEMENT
    assert head_agreement(["laser", "laser", "energy"], [0.4, 0.35, 0.25]) >= FEEDBACK_AGREEMENT


def test_feedback_lends_an_unnamed_field_from_the_best_matches_only() -> None:
    # two technologies alike in text and vector, one in the best matches' field (laser); the
    # other comes first in the index, so only the field can put the laser one ahead
    twins = [
        Document("twin-energy", "通用运动控制器。多轴同步控制。", "energy", 7),
        Document("twin-laser", "通用运动控制器。多轴同步控制。", "laser", 7),
    ]
    vectors = _unit(*FEEDBACK_VECTORS.tolist(), [0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5])
    plain = "船厂下的钢板口子坑坑洼洼"
    embedder = _Vectors({plain: [1.0, 0.0, 0.1, 0.0]})
    index = MatchIndex(FEEDBACK_DOCS + twins, vectors=vectors, embedder=embedder)
    ranked = [m.id for m in index.search(MatchQuery(plain), k=7)]
    assert ranked.index("twin-laser") < ranked.index("twin-energy")
    named = [m.id for m in index.search(MatchQuery(plain, field="energy"), k=7)]
    assert named.index("twin-energy") < named.index("twin-laser")


def test_expansion_terms_are_the_feedback_documents_distinctive_words() -> None:
    from innobridge.matching.fusion import expansion_terms

    documents = [["挂渣", "切割", "切割", "钢板"], ["切割", "穿孔", "钢板"]]
    idf = {"挂渣": 3.0, "穿孔": 3.0, "切割": 1.0, "钢板": 0.5}.__getitem__
    terms = expansion_terms(documents, [0.8, 0.2], idf, skip=lambda t: t == "钢板", keep=3)
    assert [t for t, _w in terms] == ["挂渣", "切割", "穿孔"]
    assert abs(sum(w for _t, w in terms) - 1.0) < 1e-12
    assert expansion_terms([[]], [1.0], idf, skip=lambda t: False) == []


def test_ranking_among_given_documents_keeps_the_whole_rankings_order() -> None:
    rng = np.random.default_rng(11)
    words = ["激光切割", "挂渣", "厚板", "储能", "红外", "巡检", "光伏", "清洗", "焊接", "机器人"]
    docs = [
        Document(
            f"d{i}",
            "。".join(rng.choice(words, size=4).tolist()),
            "laser" if i % 3 else "energy",
            int(rng.integers(3, 9)),
        )  # fmt: skip
        for i in range(300)
    ]
    index = MatchIndex(docs)
    query = MatchQuery("厚板激光切割挂渣 焊接", field="laser", min_trl=5)
    among = [f"d{i}" for i in rng.choice(300, size=60, replace=False)] + ["missing"]
    allowed = frozenset(among)
    filtered = index.search(query, k=len(allowed), allowed=allowed.__contains__, explain=False)
    ranked = index.search(query, k=len(allowed), among=among, explain=False)
    assert [m.id for m in ranked] == [m.id for m in filtered]
    assert len(ranked) == 60
    assert [m.score for m in ranked] == [m.score for m in filtered]
    assert index.ranked_ids(query, among) == [m.id for m in filtered]  # a search box's order
    # with feedback (dense vectors, a plain demand) the head of the whole ranking is re-scored
    dense = MatchIndex(FEEDBACK_DOCS, vectors=FEEDBACK_VECTORS, embedder=_Vectors({"切出来的口子全是毛刺": [1.0, 0.0, 0.1, 0.0]}))  # fmt: skip
    plain = MatchQuery("切出来的口子全是毛刺")
    some = ["head", "bat", "solar"]
    assert [m.id for m in dense.search(plain, k=3, among=some)] == [
        m.id for m in dense.search(plain, k=3, allowed=frozenset(some).__contains__)
    ]
    assert dense.ranked_ids(plain, some) == [m.id for m in dense.search(plain, k=3, among=some)]


def test_records_sharing_a_word_come_in_the_whole_rankings_order() -> None:
    """A search box whose words no record holds all of lists the records that share one, in the
    engine's order: the same as the full ranking with the others left out, ties by position."""
    rng = np.random.default_rng(17)
    words = ["激光切割", "挂渣", "厚板", "储能", "红外", "巡检", "光伏", "清洗", "焊接", "机器人"]
    docs = [
        Document(
            f"d{i}",
            "。".join(rng.choice(words, size=3).tolist()),
            "laser" if i % 4 else "energy",
            int(rng.integers(3, 9)),
        )  # fmt: skip
        for i in range(400)
    ]
    index = MatchIndex(docs)
    allowed = frozenset(f"d{i}" for i in range(0, 400, 3))
    query = MatchQuery("储能 焊接", field="energy")
    everything = index.search(query, k=len(docs), allowed=allowed.__contains__, exact=True)
    sharing = [m.id for m in everything if m.explanation.shared_terms]
    assert 0 < len(sharing) < len(allowed)
    found = index.search(query, k=50, allowed=allowed.__contains__, explain=False, shared_only=True)
    assert [m.id for m in found] == sharing[:50]


def test_an_index_rebuilt_from_the_previous_one_ranks_as_one_built_from_scratch() -> None:
    import random

    from innobridge.core.demo import phrases, text
    from innobridge.matching.text import document_tokens

    rng = random.Random(8)
    docs = []
    for i in range(300):
        field = rng.choice(phrases.FIELDS)
        project = text.project_text(rng, field)
        docs.append(Document(str(i), f"{project.title}。{project.summary}", field, rng.randint(3, 9)))  # fmt: skip
    tokens = [document_tokens(doc.text) for doc in docs]
    previous = MatchIndex(docs, tokens=tokens)
    # a record edited, one deleted, one added: the others keep their very token lists
    edited = Document("7", "万瓦级光纤激光厚板切割装备，切口无挂渣", "laser", 8)
    added = Document("new", "面向城市内涝的低空无人机巡检系统", "low_altitude", 6)
    docs2 = [edited if d.id == "7" else d for d in docs if d.id != "20"] + [added]
    tokens2 = [
        document_tokens(d.text) if d.id in {"7", "new"} else tokens[int(d.id)] for d in docs2
    ]
    rebuilt = MatchIndex(docs2, tokens=tokens2, previous=previous)
    scratch = MatchIndex(docs2, tokens=[list(t) for t in tokens2])
    reuse = rebuilt._reusable(previous)
    assert reuse is not None
    assert (reuse == -1).sum() == 2
    for _ in range(30):
        field = rng.choice(phrases.FIELDS)
        need = text.demand_text(rng, field, "technology")
        query = MatchQuery(f"{need.title}。{need.description}", field=field)
        ours, theirs = rebuilt.search(query, k=10), scratch.search(query, k=10)
        assert [(m.id, m.score) for m in ours] == [(m.id, m.score) for m in theirs]
    assert rebuilt.search(MatchQuery("挂渣 厚板切割"), k=1)[0].id == "7"


def test_an_explanation_names_the_shared_technology_not_the_words_of_the_form() -> None:
    """Demands and applications share their form (重点关注…等方向, 开展…验证, 形成…产品): a
    reason listing 方向、技术、应用 tells a manager nothing."""
    documents = [
        Document("T1", "开展激光熔覆再制造技术研究，形成产品并推广应用，重点方向为轧辊修复。"),
        Document("T2", "城市道路照明节能改造，开展示范应用。"),
    ]
    demand = MatchQuery("希望开展激光熔覆技术验证，形成可推广的应用产品，重点关注轧辊修复等方向。")
    best = MatchIndex(documents).search(demand, k=1)[0]
    assert best.id == "T1"
    shown = best.explanation.shared_terms
    assert "激光熔覆" in shown
    assert "轧辊" in "".join(shown)
    assert not {"开展", "技术", "形成", "产品", "推广", "应用", "方向"} & set(shown)
    honours = MatchIndex([Document("T3", "量子重力仪。项目入选省级首台（套）重大技术装备。")])
    reason = honours.search(MatchQuery("星载计算机项目，入选省级首台（套）重大技术装备"), k=1)[0]
    assert reason.explanation.shared_terms == ()  # an honour both hold is not a technology
    plain = MatchIndex(
        [Document("T4", "武汉某科技公司的五轴数控机床，换型时间缩短一半，降低人工成本。")]
    )
    need = MatchQuery("某科技企业希望引进五轴数控机床，现在换型时间长、人工成本高、效率低。")
    shown = plain.search(need, k=1)[0].explanation.shared_terms
    assert "数控机床" in shown
    assert not {"科技", "时间", "人工", "成本"} & set(shown)  # words of any problem statement


def test_a_factory_managers_words_find_the_technology_through_its_concepts_lay_wordings() -> None:
    """The word "切不动" is in no technology's text; it is one of the dictionary's everyday wordings of
    厚板切割 ("厚板切不动"), a concept the cutting equipment names. BM25 indexes the technology
    under those words too, and the explanation says which concept the manager's word stood for."""
    from innobridge.matching.fusion import coverage

    index = MatchIndex(DOCS)
    assert "切不动" not in tokenize(DOCS[0].text)
    results = index.search(MatchQuery("车间的钢板太厚，切不动"), k=2)
    assert results[0].id == "cut"
    assert ("切不动", "厚板切割") in results[0].explanation.lay_terms
    assert "切不动" not in results[0].explanation.shared_terms
    # the lay words do not make a plain need look written in the corpus' words: its coverage,
    # which sets how far BM25 is trusted beside the dense list, counts the written words only
    assert "厚板切割" in index.written
    assert "切不动" not in index.written
    assert coverage(["切不动", "钢板"], index.written.__contains__) == 0.0
