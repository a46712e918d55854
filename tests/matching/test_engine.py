"""The pure engine: ranking, constraints and explanations on small literal inputs."""

from __future__ import annotations

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
    import numpy as np

    from innobridge.matching.engine import _best_first

    rng = np.random.default_rng(5)
    scores = np.round(rng.standard_normal(5000), 1)  # many ties
    full = np.lexsort((np.arange(5000), -scores)).tolist()
    assert list(_best_first(scores, 10)) == full
    assert list(_best_first(scores, 4000)) == full
