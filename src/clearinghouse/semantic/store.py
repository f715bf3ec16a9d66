"""The process's search matrix of document vectors, kept in step with the database.

Each process builds it from the stored vectors on first use, then reads only
the vectors embedded since its last look (the `embedded_at` column, indexed),
so that a new or re-embedded document is searchable on the next query without
a rebuild. Vectors that left the table (documents deleted) are noticed by a
count, which scans the table and so runs at most every `RECOUNT_SECONDS`
(until then a deleted document is only dropped from results, by the check
that results are published); a grown tail or too many removed rows make it
rebuild from scratch.
"""

import threading
import time

import numpy as np

from .models import DocumentVector
from .vectors import DIMENSIONS, VectorIndex

_lock = threading.Lock()
_state: dict = {
    "index": None,
    "seen": None,
    "at_seen": set(),
    "model": None,
    "counted": 0.0,
}
# Rows read from the database per query while loading, so memory stays flat.
LOAD_BATCH = 5000
RECOUNT_SECONDS = 60.0


def _rows(queryset):
    """Ids and float32 vectors, read in chunks into one float16 array."""
    ids: list[int] = []
    blocks, blobs = [], []
    for pk, blob in queryset.values_list("document_id", "vector").iterator(
        chunk_size=LOAD_BATCH
    ):
        ids.append(pk)
        blobs.append(bytes(blob))
        if len(blobs) == LOAD_BATCH:
            blocks.append(np.frombuffer(b"".join(blobs), dtype="<f2"))
            blobs = []
    if blobs:
        blocks.append(np.frombuffer(b"".join(blobs), dtype="<f2"))
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros((0, DIMENSIONS), np.float32)
    vectors = np.concatenate(blocks).reshape(len(ids), DIMENSIONS)
    return np.asarray(ids, dtype=np.int64), vectors.astype(np.float32)


def _drop_removed(index: VectorIndex, current) -> None:
    """Mask the vectors that left the table since the last count."""
    if current.count() >= len(index):
        return
    kept = np.fromiter(current.values_list("document_id", flat=True), np.int64)
    alive = index.ids[index.alive]
    index.remove(alive[~np.isin(alive, kept)])


def document_index(model: str) -> VectorIndex:
    """The up-to-date index of every document embedded with this encoder."""
    with _lock:
        current = DocumentVector.objects.filter(model=model)
        index: VectorIndex | None = _state["index"]
        now = time.monotonic()
        if index is None or _state["model"] != model or index.needs_rebuild():
            return _rebuild(current, model, now)
        # ">=" and the ids already read at that instant: two vectors saved in
        # the same microsecond are both seen, and none is read twice.
        newer = (
            current.filter(embedded_at__gte=_state["seen"])
            if _state["seen"]
            else current
        )
        newer = newer.exclude(
            document_id__in=_state["at_seen"], embedded_at=_state["seen"]
        )
        rows = list(newer.values_list("document_id", "embedded_at"))
        if rows:
            ids, vectors = _rows(newer.filter(document_id__in=[pk for pk, _at in rows]))
            index.upsert(ids, vectors)
            last = max(at for _pk, at in rows)
            at_seen = {pk for pk, at in rows if at == last}
            if last == _state["seen"]:
                at_seen |= _state["at_seen"]
            _state.update(seen=last, at_seen=at_seen)
        if now - _state["counted"] >= RECOUNT_SECONDS:
            _drop_removed(index, current)
            _state["counted"] = now
            if index.needs_rebuild():
                return _rebuild(current, model, now)
        return index


def _rebuild(current, model: str, now: float) -> VectorIndex:
    index = VectorIndex()
    last = (
        current.order_by("-embedded_at").values_list("embedded_at", flat=True).first()
    )
    at_seen = set(
        current.filter(embedded_at=last).values_list("document_id", flat=True)
    )
    index.build(*_rows(current.filter(embedded_at__lte=last) if last else current))
    _state.update(index=index, seen=last, at_seen=at_seen, model=model, counted=now)
    return index


def forget() -> None:
    """Drop the process's matrix (after a re-embedding, or in tests)."""
    with _lock:
        _state.update(index=None, seen=None, at_seen=set(), model=None, counted=0.0)
