"""Candidate generation for large indexes, so a query never scores every document densely.

Small corpora are scored exhaustively (``engine.py``). From ``Retrieval.exact_below`` documents
on, a query is answered from candidates:

* lexical: BM25 is still scored exactly over the postings of the query's terms (``PostingScorer``:
  bm25s' scores, faster), and its best ``candidates`` documents are kept
  (``top_candidates``: a threshold read off a sample instead of a full partition);
* dense: an inverted file (``IVFIndex``): spherical k-means splits the vectors into about 4·√N
  cells, a query scores the centroids and scans only the nearest cells (as many documents as
  ``probes`` cells hold on average), with exact dot products. Pure numpy (BLAS builds it), nothing
  is fetched at run time, and the same seed gives the same index;
* z-normalization: the dense scores' mean and standard deviation over the whole corpus follow
  exactly from the corpus' first and second moments (``DenseMoments``): E[v·q] = μ·q and
  E[(v·q)²] = qᵀMq, so no document has to be scored for them. The lexical ones come from the exact
  BM25 scores.

Every candidate is then fused exactly as in the exhaustive path; what can differ is only a document
that is in neither candidate list. Feedback (``fusion.py``) re-scores the head of either path's
first ranking with the corpus' statistics (``DenseMoments``; ``SampledPostings`` for the BM25 of the
expansion terms), reading only the head's vectors and postings: it costs the same at any size.

A query's products are small, so they run on one thread (``dot``): BLAS would split them over both
cores, and when the other core is busy (another request, another worker) every call then waits
for it, up to milliseconds each.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

Floats32 = npt.NDArray[np.float32]
Floats = npt.NDArray[np.float64]
Indices = npt.NDArray[np.intp]


@dataclass(frozen=True)
class Retrieval:
    """How a large index finds its candidates (smaller corpora are scored exhaustively)."""

    exact_below: int = 100_000  # corpora smaller than this are scored exhaustively
    candidates: int = 1000  # lexical candidates kept per query
    probes: int = 64  # IVF cells scanned per query (in documents: what that many hold on average)
    lists: int = 0  # IVF cells; 0: about 4·√N
    seed: int = 0

    def cells(self, size: int) -> int:
        wanted = self.lists or round(4 * math.sqrt(size))
        return max(1, min(size, wanted))


class PostingScorer:
    """BM25 over bm25s' precomputed per-term scores (a term × document CSC matrix), as bm25s'
    ``get_scores`` but faster: a term said twice is added once with twice its weight, and the
    document indices are kept as intp, which makes ``np.add.at`` take its fast path. The float32
    sums may differ from bm25s' in the last bit."""

    def __init__(
        self,
        data: npt.NDArray[np.float32],
        indices: npt.NDArray[np.integer],
        indptr: npt.NDArray[np.integer],
        documents: int,
    ) -> None:
        self.data = data
        self.indices: Indices = np.ascontiguousarray(indices, dtype=np.intp)
        self.indptr = np.asarray(indptr, dtype=np.int64)
        self.documents = documents

    def scores(self, term_ids: list[int]) -> Floats32:
        scores = np.zeros(self.documents, dtype=np.float32)
        for term, repeats in Counter(term_ids).items():
            start, end = int(self.indptr[term]), int(self.indptr[term + 1])
            weights = self.data[start:end]
            if repeats > 1:
                weights = weights * np.float32(repeats)
            np.add.at(scores, self.indices[start:end], weights)
        return scores


def posting_values(
    scores: dict[str, npt.NDArray[np.generic]], term_weights: list[tuple[int, float]], rows: Indices
) -> Floats:
    """Σ weight · BM25 of these terms for the documents ``rows`` only, read from bm25s' per-term
    scores (the CSC matrix ``PostingScorer`` reads; its numpy backend keeps a term's documents in
    ascending order): a binary search per term, so the cost does not grow with the corpus."""
    data, indices, indptr = scores["data"], scores["indices"], scores["indptr"]
    found = np.zeros(len(rows))
    for term, weight in term_weights:
        start, end = int(indptr[term]), int(indptr[term + 1])
        if end == start:
            continue
        postings = indices[start:end]
        where = np.minimum(np.searchsorted(postings, rows), end - start - 1)
        hit = postings[where] == rows
        found[hit] += weight * data[start:end][where[hit]].astype(np.float64)
    return found


def statistics_sample(size: int, *, seed: int = 0, limit: int = 4096) -> Indices:
    """Documents whose scores stand for the whole corpus' mean and spread where computing them
    exactly would cost a pass over it: all of them up to ``limit``, else a fixed random sample."""
    if size <= limit:
        return np.arange(size, dtype=np.intp)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(size, limit, replace=False)).astype(np.intp)


class SampledPostings:
    """bm25s' per-term scores restricted to the documents of ``statistics_sample``: the mean and
    spread over the corpus of any weighted sum of terms' BM25 (feedback expansion, ``fusion.py``),
    read off the sample in time proportional to its postings of those terms alone. Exact for a
    corpus of up to ``limit`` documents, which is all of its own sample."""

    def __init__(
        self,
        scores: dict[str, npt.NDArray[np.generic]],
        documents: int,
        *,
        seed: int = 0,
        limit: int = 4096,
        chunk: int = 1 << 22,
    ) -> None:
        rows = statistics_sample(documents, seed=seed, limit=limit)
        self.size = len(rows)
        place = np.full(documents, -1, dtype=np.int32)
        place[rows] = np.arange(len(rows), dtype=np.int32)
        indices, indptr = scores["indices"], np.asarray(scores["indptr"], dtype=np.int64)
        found, mapped = [], []
        for start in range(0, len(indices), chunk):  # in blocks: no corpus-long temporaries
            block = place[indices[start : start + chunk]]
            hits = np.flatnonzero(block >= 0)
            found.append(hits + start)
            mapped.append(block[hits])
        positions = np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
        terms = np.searchsorted(indptr, positions, side="right") - 1
        counts = np.bincount(terms, minlength=len(indptr) - 1)
        self.indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        self.indices = np.concatenate(mapped) if mapped else np.zeros(0, dtype=np.int32)
        self.data = np.asarray(scores["data"])[positions]

    def mean_std(self, term_weights: list[tuple[int, float]]) -> tuple[float, float]:
        spans = [(int(self.indptr[t]), int(self.indptr[t + 1]), w) for t, w in term_weights]
        spans = [(start, end, w) for start, end, w in spans if end > start]
        if not spans or not self.size:
            return 0.0, 0.0
        rows = np.concatenate([self.indices[start:end] for start, end, _w in spans])
        weights = np.concatenate([self.data[start:end] * w for start, end, w in spans])
        values = np.bincount(rows, weights=weights.astype(np.float64), minlength=self.size)
        return float(values.mean()), float(values.std())


def top_candidates(scores: Floats32, wanted: int) -> Indices:
    """About the ``wanted`` best-scoring positions (at least ``wanted``, unordered; all of them
    when there are fewer). A threshold read off a strided sample replaces a full partition: one
    comparison pass over the scores instead of a selection."""
    size = len(scores)
    if wanted >= size:
        return np.arange(size, dtype=np.intp)
    stride = max(1, size // (64 * wanted))
    sample = scores[::stride]
    rank = min(len(sample) - 1, (2 * wanted) // stride)  # expect about 2·wanted above the threshold
    threshold = np.partition(sample, len(sample) - 1 - rank)[len(sample) - 1 - rank]
    found: Indices = np.flatnonzero(scores >= threshold)
    if len(found) < wanted or len(found) > 8 * wanted:  # unlucky sample, or a wall of ties
        found = np.argpartition(-scores, wanted - 1)[:wanted].astype(np.intp)
    return found


def dot(
    matrix: npt.NDArray[np.floating], vector: npt.NDArray[np.floating]
) -> npt.NDArray[np.floating]:
    """matrix @ vector on this thread (numpy's own loop, not BLAS): see the module's notes."""
    product: npt.NDArray[np.floating] = np.einsum("ij,j->i", matrix, vector)
    return product


class DenseMoments:
    """The first and second moments of the document vectors: the mean and standard deviation of
    v·q over every document, for any q, without scoring the documents. Built at once, or block
    by block as a stream of vectors goes by (``add``)."""

    def __init__(self, vectors: npt.NDArray[np.floating], chunk: int = 65_536) -> None:
        dim = vectors.shape[1]
        self.size = 0
        self._total = np.zeros(dim)
        self._second = np.zeros((dim, dim))
        for start in range(0, len(vectors), chunk):
            self.add(vectors[start : start + chunk])

    def add(self, vectors: npt.NDArray[np.floating]) -> None:
        block = np.asarray(vectors, dtype=np.float32)
        self._total += block.sum(axis=0, dtype=np.float64)
        self._second += (block.T @ block).astype(np.float64)
        self.size += len(block)

    def mean_std(self, query: npt.NDArray[np.floating]) -> tuple[float, float]:
        q = np.asarray(query, dtype=np.float64)
        size = max(self.size, 1)
        mean = float(np.einsum("i,i->", self._total, q)) / size
        variance = float(np.einsum("i,i->", dot(self._second, q), q)) / size - mean * mean
        return mean, math.sqrt(max(variance, 0.0))


class Nearest(Protocol):
    """Where a large index finds its dense candidates: ``IVFIndex`` in process, or another
    source (``innobridge.core.pgvector``: PostgreSQL's HNSW graph shared by every process)."""

    def search(self, query: npt.NDArray[np.floating], probes: int) -> tuple[Indices, Floats32]:
        """Positions of documents near ``query`` and their exact v·q (``probes``: how far to
        look, in IVF cells' worth of documents)."""
        ...


class IVFIndex:
    """Inverted file over the document vectors: cells from spherical k-means; a copy of the
    vectors is kept grouped by cell so that scanning a cell is one contiguous matrix product."""

    def __init__(
        self,
        vectors: npt.NDArray[np.floating],
        lists: int,
        *,
        seed: int = 0,
        iterations: int = 10,
        train_per_list: int = 48,
    ) -> None:
        size = len(vectors)
        lists = max(1, min(lists, size))
        rng = np.random.default_rng(seed)
        train_size = min(size, lists * train_per_list)
        train_rows = np.sort(rng.choice(size, train_size, replace=False))
        # cells split the centered vectors: a component every vector shares (e5's are far from
        # isotropic) says nothing about which documents are near which
        self.center = _column_mean(vectors)
        sample = np.asarray(vectors[train_rows], dtype=np.float32) - self.center
        self.centroids = _spherical_kmeans(sample, lists, iterations, rng)
        self._group(vectors, _nearest(vectors, self.centroids, self.center))
        self.placed = 0  # vectors placed in the cells since they were trained (``reusing``)

    @classmethod
    def reusing(
        cls,
        previous: IVFIndex,
        vectors: npt.NDArray[np.floating],
        reuse: npt.NDArray[np.int64],
    ) -> IVFIndex:
        """An inverted file over ``vectors`` with the cells of ``previous``: vector ``j`` keeps
        the cell of vector ``reuse[j]`` there where that is ≥ 0 (the caller vouches they are the
        same vector), the others go to their nearest cell. The cells are not trained again, which
        is most of a build; the caller trains them anew once most vectors are new."""
        index = cls.__new__(cls)
        index.center, index.centroids = previous.center, previous.centroids
        cell = np.empty(len(vectors), dtype=np.intp)
        kept = reuse >= 0
        cell[kept] = previous.cell[reuse[kept]]
        fresh = np.flatnonzero(~kept)
        index.placed = previous.placed + len(fresh)
        if len(fresh):
            cell[fresh] = _nearest(vectors[fresh], index.centroids, index.center)
        index._group(vectors, cell)
        return index

    def _group(self, vectors: npt.NDArray[np.floating], cell: Indices) -> None:
        self.cell = cell
        self.order: Indices = np.argsort(cell, kind="stable").astype(np.intp)
        counts = np.bincount(cell, minlength=len(self.centroids))
        self.offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        self.grouped: Floats32 = np.ascontiguousarray(vectors[self.order], dtype=np.float32)

    def __len__(self) -> int:
        return len(self.order)

    def search(self, query: npt.NDArray[np.floating], probes: int) -> tuple[Indices, Floats32]:
        """The documents of the cells nearest to the query, nearest cell first, until as many
        documents as ``probes`` cells hold on average are seen (so a few oversized cells cannot
        blow up the time), each with its exact v·q."""
        q = np.asarray(query, dtype=np.float32)
        lists = len(self.centroids)
        closeness = dot(self.centroids, q)
        reach = min(lists, 4 * probes)
        cells = (
            np.argpartition(-closeness, reach - 1)[:reach] if reach < lists else np.arange(lists)
        )
        cells = cells[np.argsort(-closeness[cells], kind="stable")]
        seen = np.cumsum(self.offsets[cells + 1] - self.offsets[cells])
        budget = probes * len(self) / lists
        cells = cells[: int(np.searchsorted(seen, budget)) + 1]
        ids, scores = [], []
        for cell in cells.tolist():
            start, end = int(self.offsets[cell]), int(self.offsets[cell + 1])
            if end > start:
                ids.append(self.order[start:end])
                scores.append(dot(self.grouped[start:end], q))
        if not ids:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float32)
        return np.concatenate(ids), np.concatenate(scores).astype(np.float32, copy=False)


def _nearest(
    vectors: npt.NDArray[np.floating],
    centroids: Floats32,
    center: Floats32 | None = None,
    chunk: int = 16_384,
) -> Indices:
    """The cell of every vector: the centroid with the highest inner product with the vector
    minus ``center``."""
    offset = centroids @ center if center is not None else np.zeros(len(centroids), np.float32)
    cell = np.empty(len(vectors), dtype=np.intp)
    for start in range(0, len(vectors), chunk):
        block = np.asarray(vectors[start : start + chunk], dtype=np.float32)
        cell[start : start + chunk] = np.argmax(block @ centroids.T - offset, axis=1)
    return cell


def _column_mean(vectors: npt.NDArray[np.floating], chunk: int = 65_536) -> Floats32:
    total = np.zeros(vectors.shape[1])
    for start in range(0, len(vectors), chunk):
        total += np.asarray(vectors[start : start + chunk]).sum(axis=0, dtype=np.float64)
    mean: Floats32 = (total / max(len(vectors), 1)).astype(np.float32)
    return mean


def _spherical_kmeans(
    sample: Floats32, lists: int, iterations: int, rng: np.random.Generator
) -> Floats32:
    centroids = sample[rng.choice(len(sample), lists, replace=False)].copy()
    centroids = _unit_rows(centroids)
    for _ in range(iterations):
        cell = _nearest(sample, centroids)
        counts = np.bincount(cell, minlength=lists)
        order = np.argsort(cell, kind="stable")
        used = np.flatnonzero(counts)
        starts = np.concatenate(([0], np.cumsum(counts)))[used]
        sums = np.add.reduceat(sample[order], starts, axis=0)
        centroids[used] = sums
        empty = np.flatnonzero(counts == 0)
        if len(empty):  # an empty cell restarts on a random training vector
            centroids[empty] = sample[rng.choice(len(sample), len(empty), replace=False)]
        centroids = _unit_rows(centroids)
    return centroids


def _unit_rows(matrix: Floats32) -> Floats32:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    result: Floats32 = (matrix / norms).astype(np.float32)
    return result
