"""The embedded engine's own mechanics: readers in other processes, slots."""

from clearinghouse.library.search import SearchRequest
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
