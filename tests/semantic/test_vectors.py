"""The vector index: storage bytes, exhaustive and partitioned search, updates."""

import numpy as np
import pytest

from clearinghouse.semantic import vectors
from clearinghouse.semantic.vectors import VectorIndex, from_blob, quantize, to_blob


def _unit(rows):
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def _clustered(n, *, seed=0, topics=40):
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((topics, 512)).astype(np.float32)
    noise = rng.standard_normal((n, 512)).astype(np.float32)
    return _unit(centres[rng.integers(0, topics, n)] + 0.5 * noise)


def test_a_vector_survives_its_storage_as_float16_bytes():
    vector = _clustered(1)[0]
    blob = to_blob(vector)
    assert len(blob) == 1024
    assert np.allclose(from_blob(blob), vector, atol=1e-3)


def test_int8_codes_keep_cosines_within_a_hundredth():
    rows = _clustered(50)
    codes, scale = quantize(rows)
    assert codes.dtype == np.int8
    approx = codes.astype(np.float32) * scale[:, None]
    assert np.abs(approx @ rows[0] - rows @ rows[0]).max() < 0.01


def test_search_ranks_the_nearest_first_and_excludes_what_is_asked():
    rows = _clustered(200)
    index = VectorIndex()
    index.build(np.arange(1000, 1200), rows)
    found = index.search(rows[7], 5)
    assert found[0].id == 1007
    assert found[0].score == pytest.approx(1.0, abs=0.01)
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
    assert 1007 not in {m.id for m in index.search(rows[7], 5, exclude=[1007])}


def test_an_empty_index_finds_nothing():
    assert VectorIndex().search(_clustered(1)[0], 10) == []


def test_upsert_replaces_a_vector_and_remove_forgets_it():
    rows = _clustered(20)
    index = VectorIndex()
    index.build(np.arange(20), rows)
    index.upsert([3], rows[[10]])
    assert len(index) == 20
    assert {m.id for m in index.search(rows[10], 2)} == {3, 10}
    index.remove([3, 10])
    assert len(index) == 18
    assert {3, 10}.isdisjoint(m.id for m in index.search(rows[10], 5))
    index.upsert([99], rows[[5]])
    assert index.search(rows[5], 2)[0].id in {5, 99}


def test_the_partitioned_index_finds_what_exhaustive_search_finds(monkeypatch):
    monkeypatch.setattr(vectors, "EXACT_LIMIT", 500)
    rows = _clustered(3000, seed=1)
    index = VectorIndex(nprobe=8)
    index.build(np.arange(3000), rows)
    assert index.centroids is not None
    agree = []
    for n in range(0, 3000, 150):
        exact = set(np.argsort(-(rows @ rows[n]))[:10].tolist())
        agree.append(len(exact & {m.id for m in index.search(rows[n], 10)}) / 10)
    assert np.mean(agree) >= 0.9
    # A vector added later waits in the tail and is found at once.
    index.upsert([5000], rows[[42]])
    assert 5000 in {m.id for m in index.search(rows[42], 3)}


def test_a_grown_tail_asks_for_a_rebuild(monkeypatch):
    monkeypatch.setattr(vectors, "EXACT_LIMIT", 100)
    rows = _clustered(400)
    index = VectorIndex(rebuild_ratio=0.1)
    index.build(np.arange(200), rows[:200])
    assert not index.needs_rebuild()
    index.upsert(np.arange(200, 260), rows[200:260])
    assert index.needs_rebuild()
