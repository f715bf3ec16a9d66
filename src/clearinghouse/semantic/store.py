"""The process's search matrix of document vectors, kept in step with the database.

Each process builds it from the stored vectors on first use, then reads only
the vectors embedded since its last look (the `embedded_at` column), so that
a new or re-embedded document is searchable on the next query without a
rebuild. A count that went down (documents deleted) or a grown tail makes it
rebuild from scratch.
"""

import threading

import numpy as np

from .models import DocumentVector
from .vectors import VectorIndex, from_blob

_lock = threading.Lock()
_state: dict = {"index": None, "seen": None, "at_seen": set(), "model": None}
# Rows read from the database per query while loading, so memory stays flat.
LOAD_BATCH = 5000


def _rows(queryset):
    ids, vectors = [], []
    for pk, blob in queryset.values_list("document_id", "vector").iterator(
        chunk_size=LOAD_BATCH
    ):
        ids.append(pk)
        vectors.append(from_blob(blob))
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 512), dtype=np.float32)
    return np.asarray(ids, dtype=np.int64), np.vstack(vectors)


def document_index(model: str) -> VectorIndex:
    """The up-to-date index of every document embedded with this encoder."""
    with _lock:
        current = DocumentVector.objects.filter(model=model)
        index: VectorIndex | None = _state["index"]
        stale = (
            index is None
            or _state["model"] != model
            or current.count() < len(index)
            or index.needs_rebuild()
        )
        if stale:
            index = VectorIndex()
            last = (
                current.order_by("-embedded_at")
                .values_list("embedded_at", flat=True)
                .first()
            )
            at_seen = set(
                current.filter(embedded_at=last).values_list("document_id", flat=True)
            )
            index.build(
                *_rows(current.filter(embedded_at__lte=last) if last else current)
            )
            _state.update(index=index, seen=last, at_seen=at_seen, model=model)
            return index
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
        return index


def forget() -> None:
    """Drop the process's matrix (after a re-embedding, or in tests)."""
    with _lock:
        _state.update(index=None, seen=None, at_seen=set(), model=None)
