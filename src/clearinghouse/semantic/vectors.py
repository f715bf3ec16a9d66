"""Vectors as stored (float16 bytes) and searched (an int8 matrix, IVF-partitioned).

A vector is kept with its record as 1 KB of float16 bytes. For search, every
vector lives in one in-memory matrix of int8 rows with a float32 scale each
(512 bytes a vector: 1 M vectors take about 0.5 GB). Up to `EXACT_LIMIT`
vectors are searched exhaustively; above it the matrix is partitioned by
k-means into lists (an inverted file, as in FAISS's IVF) and a query scores
only the vectors of the `nprobe` lists nearest to it, then the best are
re-scored exactly. Vectors added after the partitioning wait in a small tail
that is searched exhaustively; removed vectors are masked. The index is
rebuilt when the tail grows past a fraction of the whole.
"""

from dataclasses import dataclass

import numpy as np

DIMENSIONS = 512
EXACT_LIMIT = 50_000
# Rows scored per matrix product, so that a search never allocates much.
CHUNK = 65_536


def to_blob(vector: np.ndarray) -> bytes:
    """A unit vector as stored with its record: float16 little-endian bytes."""
    return np.asarray(vector, dtype="<f2").tobytes()


def from_blob(blob: bytes | memoryview) -> np.ndarray:
    """A stored vector back as float32."""
    return np.frombuffer(bytes(blob), dtype="<f2").astype(np.float32)


def quantize(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows as int8 with one float32 scale each (row ≈ int8 × scale)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    peak = np.abs(vectors).max(axis=1) if len(vectors) else np.zeros(0, np.float32)
    scale = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    codes = np.rint(vectors / scale[:, None]).astype(np.int8)
    return codes, scale


def _scores(codes: np.ndarray, scale: np.ndarray, query: np.ndarray) -> np.ndarray:
    out = np.empty(len(codes), dtype=np.float32)
    for start in range(0, len(codes), CHUNK):
        block = codes[start : start + CHUNK].astype(np.float32)
        out[start : start + CHUNK] = (block @ query) * scale[start : start + CHUNK]
    return out


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k highest scores, best first."""
    if len(scores) <= k:
        return np.argsort(-scores, kind="stable")
    part = np.argpartition(-scores, k)[:k]
    return part[np.argsort(-scores[part], kind="stable")]


def kmeans(
    sample: np.ndarray, lists: int, *, iterations: int = 8, seed: int = 0
) -> np.ndarray:
    """Spherical k-means centroids (unit vectors) of a sample of unit vectors."""
    rng = np.random.default_rng(seed)
    centroids = sample[rng.choice(len(sample), size=lists, replace=False)].copy()
    for _ in range(iterations):
        assign = _assign(sample, centroids)
        sums = np.zeros_like(centroids)
        np.add.at(sums, assign, sample)
        counts = np.bincount(assign, minlength=lists)
        empty = counts == 0
        # An empty list takes a random vector, so that no centroid is wasted.
        sums[empty] = sample[rng.choice(len(sample), size=int(empty.sum()))]
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        centroids = (sums / np.maximum(norms, 1e-12)).astype(np.float32)
    return centroids


def _assign(vectors: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    out = np.empty(len(vectors), dtype=np.int32)
    for start in range(0, len(vectors), CHUNK // 4):
        block = np.asarray(vectors[start : start + CHUNK // 4], dtype=np.float32)
        out[start : start + len(block)] = np.argmax(block @ centroids.T, axis=1)
    return out


@dataclass(frozen=True)
class Match:
    """One search result: the record's id and its cosine similarity."""

    id: int
    score: float


class VectorIndex:
    """Nearest-neighbour search over unit vectors keyed by integer ids."""

    def __init__(self, *, nprobe: int = 32, rebuild_ratio: float = 0.1) -> None:
        self.nprobe = nprobe
        self.rebuild_ratio = rebuild_ratio
        self._clear()

    def _clear(self) -> None:
        self.ids = np.zeros(0, dtype=np.int64)
        self.codes = np.zeros((0, DIMENSIONS), dtype=np.int8)
        self.scale = np.zeros(0, dtype=np.float32)
        self.alive = np.zeros(0, dtype=bool)
        self.centroids: np.ndarray | None = None
        self.offsets = np.zeros(
            1, dtype=np.int64
        )  # list l is rows offsets[l]:offsets[l+1]
        self.partitioned = 0  # rows covered by the lists; the rest is the tail
        self._row: dict[int, int] = {}

    def __len__(self) -> int:
        return int(self.alive.sum())

    @property
    def nbytes(self) -> int:
        """Memory the index holds, in bytes."""
        extra = 0 if self.centroids is None else self.centroids.nbytes
        return (
            self.ids.nbytes
            + self.codes.nbytes
            + self.scale.nbytes
            + self.alive.nbytes
            + extra
        )

    def build(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Replace the whole index by these vectors (partitioned when large)."""
        ids = np.asarray(ids, dtype=np.int64)
        vectors = np.asarray(vectors, dtype=np.float32)
        self._clear()
        if len(ids) > EXACT_LIMIT:
            lists = int(min(4096, max(64, np.sqrt(len(ids)))))
            rng = np.random.default_rng(0)
            sample = vectors[
                rng.choice(len(ids), size=min(len(ids), lists * 40), replace=False)
            ]
            self.centroids = kmeans(sample, lists)
            assign = _assign(vectors, self.centroids)
            order = np.argsort(assign, kind="stable")
            ids, vectors = ids[order], vectors[order]
            counts = np.bincount(assign, minlength=lists)
            self.offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
            self.partitioned = len(ids)
        self.codes, self.scale = quantize(vectors)
        self.ids = ids
        self.alive = np.ones(len(ids), dtype=bool)
        self._row = {int(pk): row for row, pk in enumerate(ids)}

    def upsert(self, ids, vectors) -> None:
        """Add or replace vectors; new ones join the tail until the next rebuild."""
        ids = np.asarray(ids, dtype=np.int64)
        if not len(ids):
            return
        self.remove(ids)
        codes, scale = quantize(vectors)
        start = len(self.ids)
        self.ids = np.concatenate([self.ids, ids])
        self.codes = np.concatenate([self.codes, codes])
        self.scale = np.concatenate([self.scale, scale])
        self.alive = np.concatenate([self.alive, np.ones(len(ids), dtype=bool)])
        for offset, pk in enumerate(ids):
            self._row[int(pk)] = start + offset

    def remove(self, ids) -> None:
        """Forget vectors (their rows are masked until the next rebuild)."""
        for pk in np.asarray(ids, dtype=np.int64):
            row = self._row.pop(int(pk), None)
            if row is not None:
                self.alive[row] = False

    def needs_rebuild(self) -> bool:
        """Whether the tail or the masked rows have grown past the rebuild ratio."""
        total = len(self.ids)
        tail = total - self.partitioned
        dead = total - len(self)
        grown = (tail if self.centroids is not None else 0) + dead
        return (
            total > 0
            and grown > self.rebuild_ratio * total
            or (self.centroids is None and total > EXACT_LIMIT)
        )

    def vector(self, pk: int) -> np.ndarray | None:
        """The (dequantized) vector of an id, or None."""
        row = self._row.get(int(pk))
        if row is None:
            return None
        return self.codes[row].astype(np.float32) * self.scale[row]

    def search(self, query: np.ndarray, k: int = 10, *, exclude=()) -> list[Match]:
        """The k ids nearest to the query vector, best first."""
        query = np.asarray(query, dtype=np.float32)
        if not len(self.ids) or k <= 0:
            return []
        rows = self._candidate_rows(query)
        scores = _scores(self.codes[rows], self.scale[rows], query)
        scores[~self.alive[rows]] = -np.inf
        excluded = {int(pk) for pk in exclude}
        best = _top(scores, k + len(excluded))
        out = []
        for position in best:
            if not np.isfinite(scores[position]):
                break
            pk = int(self.ids[rows[position]])
            if pk in excluded:
                continue
            out.append(Match(pk, float(scores[position])))
            if len(out) == k:
                break
        return out

    def _candidate_rows(self, query: np.ndarray) -> np.ndarray:
        total = len(self.ids)
        if self.centroids is None:
            return np.arange(total)
        nearest = _top(self.centroids @ query, min(self.nprobe, len(self.centroids)))
        parts = [np.arange(self.offsets[lst], self.offsets[lst + 1]) for lst in nearest]
        parts.append(np.arange(self.partitioned, total))
        return np.concatenate(parts)
