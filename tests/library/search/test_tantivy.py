"""The embedded engine's own mechanics: readers in other processes, slots."""

import os
import time

import pytest

from clearinghouse.library.search import SearchRequest, tantivy_backend
from clearinghouse.library.search.tantivy_backend import SLOTS, TantivyBackend

from .conftest import doc


def test_a_second_reader_sees_what_the_writer_committed(tmp_path):
    writer = TantivyBackend(index_dir=tmp_path)
    reader = TantivyBackend(index_dir=tmp_path)
    assert reader.count() == 0
    writer.index([doc(1, "Spam")])
    assert reader.count() == 1
    assert [h.id for h in reader.search(SearchRequest(q="spam")).hits] == [1]
    writer.delete([1])
    assert reader.search(SearchRequest(q="spam")).total == 0


def test_a_reader_sees_a_commit_made_within_the_same_clock_tick(tmp_path):
    # Two commits within one tick of the file system's coarse clock leave
    # meta.json with the same modification time: the reader still reloads.
    writer = TantivyBackend(index_dir=tmp_path)
    reader = TantivyBackend(index_dir=tmp_path)
    writer.index([doc(1, "Spam")])
    assert reader.search(SearchRequest(q="spam")).total == 1
    meta = tmp_path / "meta.json"
    first = meta.stat()
    writer.delete([1])
    os.utime(meta, ns=(first.st_atime_ns, first.st_mtime_ns))
    assert meta.stat().st_mtime_ns == first.st_mtime_ns
    assert reader.search(SearchRequest(q="spam")).total == 0


def test_facet_values_beyond_the_slots_are_counted(tmp_path):
    backend = TantivyBackend(index_dir=tmp_path)
    many = [f"issue-{n}" for n in range(SLOTS["issue"] + 3)]
    backend.index(
        [
            doc(1, "Spam", facets={"issue": many}),
            doc(2, "Spam", facets={"issue": many[-2:]}),
        ]
    )
    result = backend.search(SearchRequest(q="spam", filters={"issue": [many[-1]]}))
    assert result.total == 2
    counts = dict(result.facets["issue"])
    assert counts[many[0]] == 1
    assert counts[many[-1]] == 2
    assert sum(counts.values()) == len(many) + 2


def test_an_index_of_an_older_layout_is_emptied_for_a_reindex(tmp_path):
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("title", stored=True)
    old = tantivy.Index(builder.build(), path=str(tmp_path))
    writer = old.writer(15_000_000, 1)
    writer.add_document(tantivy.Document(title="old"))
    writer.commit()
    writer.wait_merging_threads()
    backend = TantivyBackend(index_dir=tmp_path)
    assert backend.count() == 0
    backend.index([doc(1, "Spam")])
    assert backend.search(SearchRequest(q="spam")).total == 1


def test_one_writer_serves_a_stream_of_changes_then_closes(tmp_path):
    backend = TantivyBackend(index_dir=tmp_path)
    backend.index([doc(1, "Spam")])
    backend.index([doc(2, "Spam")])
    assert backend._writer_ is not None  # kept open between changes
    backend.close_writer()
    assert backend._writer_ is None
    # Another process's writer (here: another instance) can now write.
    other = TantivyBackend(index_dir=tmp_path)
    other.delete([1])
    other.close_writer()
    assert backend.search(SearchRequest(q="spam")).total == 1


def test_a_failed_change_is_rolled_back_and_earlier_ones_stay(tmp_path):
    backend = TantivyBackend(index_dir=tmp_path)
    backend.index([doc(1, "Spam")])

    def broken():
        yield doc(2, "Spam")
        raise RuntimeError("the feed broke")

    with pytest.raises(RuntimeError):
        backend.index(broken())
    assert [h.id for h in backend.search(SearchRequest(q="spam")).hits] == [1]
    backend.index([doc(3, "Spam")])
    assert backend.search(SearchRequest(q="spam")).total == 2
    backend.close_writer()


def test_changes_indexed_without_commit_show_at_the_commit(tmp_path, monkeypatch):
    monkeypatch.setattr(tantivy_backend, "WRITER_LINGER", 0.01)
    backend = TantivyBackend(index_dir=tmp_path)
    reader = TantivyBackend(index_dir=tmp_path)
    backend.index([doc(1, "Spam")], commit=False)
    backend.index([doc(2, "Spam")], commit=False)
    time.sleep(0.05)
    # Not visible, and the writer is kept (its linger would drop them).
    assert reader.count() == 0
    assert backend._writer_ is not None
    backend.commit()
    assert reader.count() == 2
    backend.commit()  # nothing waits: nothing happens
    assert reader.count() == 2


def test_a_failed_change_rolls_back_what_waited_for_a_commit(tmp_path):
    backend = TantivyBackend(index_dir=tmp_path)
    backend.index([doc(1, "Spam")])
    backend.index([doc(2, "Spam")], commit=False)

    def broken():
        yield doc(3, "Spam")
        raise RuntimeError("the feed broke")

    with pytest.raises(RuntimeError):
        backend.index(broken(), commit=False)
    backend.commit()
    assert [h.id for h in backend.search(SearchRequest(q="spam")).hits] == [1]
    backend.close_writer()


def test_closing_the_writer_commits_what_waits(tmp_path):
    backend = TantivyBackend(index_dir=tmp_path)
    backend.index([doc(1, "Spam")], commit=False)
    backend.close_writer()
    assert backend._writer_ is None
    assert TantivyBackend(index_dir=tmp_path).count() == 1


def test_big_batches_are_prepared_by_worker_processes_with_the_same_result(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(tantivy_backend, "WORKERS", 2)
    texts = [
        ("Gouvernance de l'Internet", "Réseaux et NOMS de domaine"),
        ("Управление ИНТЕРНЕТОМ", "ёлка и йод"),
        ("حوكمة الإنترنت", "المعلوماتية"),
        ("全球互联网治理", "域名系统"),
    ]
    docs = [doc(n + 1, title, body) for n, (title, body) in enumerate(texts * 5)]
    serial = TantivyBackend(index_dir=tmp_path / "serial")
    serial.index(docs)
    parallel = TantivyBackend(index_dir=tmp_path / "parallel")
    parallel.parallel_from = 3
    monkeypatch.setattr(tantivy_backend, "CHUNK", 7)  # several chunks, one short
    parallel.index(iter(docs))
    assert parallel.count() == serial.count() == 20
    for q in ("gouvernance", "domaine", "интернетом", "елка", "الانترنت", "互联网"):
        found = [
            sorted((h.id, h.snippet) for h in b.search(SearchRequest(q=q)).hits)
            for b in (serial, parallel)
        ]
        assert found[0] == found[1] and len(found[0]) == 5, q
    serial.close_writer()
    parallel.close_writer()


def test_a_batch_replaces_indexed_versions_and_keeps_the_last_of_repeated_ids(
    tmp_path, monkeypatch
):
    backend = TantivyBackend(index_dir=tmp_path)
    backend.index([doc(1, "Spam old"), doc(2, "Spam kept"), doc(3, "Spam old")])
    monkeypatch.setattr(tantivy_backend, "CHUNK", 3)  # repeats within and across
    written = backend.index(
        [
            doc(1, "Phishing first"),
            doc(1, "Phishing second"),
            doc(4, "Phishing first"),
            doc(3, "Phishing new"),
            doc(4, "Phishing second"),
        ]
    )
    assert written == 5
    assert backend.count() == 4
    assert [h.id for h in backend.search(SearchRequest(q="spam")).hits] == [2]
    found = {h.id for h in backend.search(SearchRequest(q="phishing")).hits}
    assert found == {1, 3, 4}
    assert backend.search(SearchRequest(q="first")).total == 0
    assert {h.id for h in backend.search(SearchRequest(q="second")).hits} == {1, 4}
    assert backend._texts([1, 4]) == {
        1: ("Phishing second", "", ""),
        4: ("Phishing second", "", ""),
    }
    backend.close_writer()
