"""The process's search matrix kept in step with the stored vectors."""

import numpy as np

from clearinghouse.semantic import encoder, store
from clearinghouse.semantic.models import DocumentVector
from clearinghouse.semantic.vectors import to_blob


def _store(document, rng) -> None:
    vector = rng.standard_normal(512).astype(np.float32)
    DocumentVector.objects.update_or_create(
        document=document,
        defaults={
            "model": encoder.model_name(),
            "text_hash": "h",
            "vector": to_blob(vector / np.linalg.norm(vector)),
        },
    )


def test_new_vectors_are_seen_at_once_and_deleted_ones_at_the_next_count(
    documents, monkeypatch
):
    rng = np.random.default_rng(0)
    docs = list(documents.values())
    for document in docs[:4]:
        _store(document, rng)
    model = encoder.model_name()
    assert len(store.document_index(model)) == 4
    _store(docs[4], rng)
    assert len(store.document_index(model)) == 5
    DocumentVector.objects.filter(document=docs[0]).delete()
    # Counting scans the table: not on every query.
    assert len(store.document_index(model)) == 5
    monkeypatch.setattr(store, "RECOUNT_SECONDS", 0.0)
    index = store.document_index(model)
    assert len(index) == 4
    assert index.vector(docs[0].pk) is None
    assert index.vector(docs[4].pk) is not None


def test_a_stored_vector_reads_back_as_it_was_written(documents):
    rng = np.random.default_rng(1)
    document = next(iter(documents.values()))
    _store(document, rng)
    stored = np.frombuffer(
        bytes(DocumentVector.objects.get(document=document).vector), dtype="<f2"
    )
    index = store.document_index(encoder.model_name())
    assert float(index.vector(document.pk) @ stored.astype(np.float32)) > 0.99
