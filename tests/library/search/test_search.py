"""Search behaviour, the same on every engine (run once per backend in CI)."""

import importlib
import random
from collections import Counter
from datetime import date

import pytest

from clearinghouse.library.search import SearchRequest, get_backend
from clearinghouse.library.search.base import SAMPLE_BUCKETS, sample_bucket

from .conftest import doc

CORPUS = [
    doc(
        1,
        "Internet governance after the World Summit",
        "The forum discussed internet governance and the digital divide.",
        summary="A report on governance.",
        date=date(2004, 3, 26),
        facets={"issue": ["spam", "digital-divide"], "type": ["report"]},
    ),
    doc(
        2,
        "Spam and unsolicited messages",
        "Spam is a governance concern for developing countries.",
        date=date(2005, 1, 10),
        facets={"issue": ["spam"], "type": ["law"], "region": ["002"]},
    ),
    doc(
        3,
        "Domain names",
        "The domain name system and its root servers.",
        date=date(2003, 6, 1),
        facets={"issue": ["dns"], "type": ["report"]},
    ),
    doc(
        4,
        "Gouvernance de l'Internet",
        "La société civile et les États débattent de la régulation.",
        language="fr",
        date=date(2004, 12, 1),
        facets={"issue": ["digital-divide"], "type": ["policy"]},
    ),
    doc(
        5,
        "Gobernanza de Internet",
        "La participación de América Latina en la política pública.",
        language="es",
        date=date(2006, 2, 2),
        facets={"type": ["policy"]},
    ),
    doc(
        6,
        "Управление Интернетом",
        "ГОСУДАРСТВА обсуждают безопасность сетей.",
        language="ru",
        date=None,
    ),
    doc(
        7,
        "حوكمة الإنترنت",
        "تناقش الدول العربية حَوْكَمَةُ الإنترنت وأمن الشبكات في المنطقة.",
        language="ar",
        date=date(2004, 5, 5),
    ),
    doc(
        8,
        "全球互联网治理论坛",
        "各国政府讨论了互联网治理和网络安全问题以及发展中国家的参与。",
        language="zh-hans",
        date=date(2004, 6, 6),
    ),
]


def ids(result):
    return [hit.id for hit in result.hits]


def search(backend, q="", **kwargs):
    return backend.search(SearchRequest(q=q, **kwargs))


@pytest.fixture
def corpus(backend):
    backend.index(CORPUS)
    return backend


def test_words_must_all_match(corpus):
    assert set(ids(search(corpus, "governance spam"))) == {2}


def test_exact_phrase_matches_adjacent_words_only(corpus):
    assert set(ids(search(corpus, '"internet governance"'))) == {1}
    assert ids(search(corpus, '"governance internet"')) == []


def test_exclusion_removes_documents(corpus):
    assert set(ids(search(corpus, "governance -spam"))) == {1}
    assert set(ids(search(corpus, 'governance -"digital divide"'))) == {2}


def test_or_accepts_either_word(corpus):
    assert set(ids(search(corpus, "spam OR domain"))) == {2, 3}
    assert set(ids(search(corpus, "spam OR domain countries"))) == {2}


def test_facet_counts_cover_every_match(corpus):
    result = search(corpus, "governance")
    assert result.total == 2
    assert dict(result.facets["issue"]) == {"spam": 2, "digital-divide": 1}
    assert dict(result.facets["type"]) == {"report": 1, "law": 1}
    assert set(result.facets) == {
        "issue",
        "area",
        "type",
        "language",
        "year",
        "institution",
        "stakeholder_group",
        "region",
        "jurisdiction",
    }


def test_filters_and_across_keys_or_within_a_key(corpus):
    result = search(corpus, "", filters={"type": ["report", "law"]})
    assert set(ids(result)) == {1, 2, 3}
    result = search(corpus, "", filters={"type": ["report", "law"], "issue": ["spam"]})
    assert set(ids(result)) == {1, 2}
    assert search(corpus, "", filters={"type": ["nothing"]}).total == 0


def test_selected_facet_value_is_listed_even_without_matches(corpus):
    result = search(corpus, "domain", filters={"issue": ["spam"]})
    assert result.total == 0
    assert ("spam", 0) in result.facets["issue"]


def test_language_filter(corpus):
    result = search(corpus, "", filters={"language": ["fr", "es"]})
    assert set(ids(result)) == {4, 5}
    assert dict(search(corpus, "").facets["language"])["ru"] == 1


def test_unknown_filter_keys_are_ignored(corpus):
    assert search(corpus, "", filters={"title": ["x"], "issue": []}).total == 8


def test_sort_by_date_puts_newest_first_and_undated_last(corpus):
    result = search(corpus, "", sort="date", per_page=100)
    assert ids(result) == [5, 2, 4, 8, 7, 1, 3, 6]


def test_relevance_prefers_title_matches(corpus):
    result = search(corpus, "spam")
    assert ids(result)[0] == 2
    assert result.hits[0].score >= result.hits[-1].score


def test_pagination_is_stable_and_complete(corpus):
    pages = [
        ids(search(corpus, "", sort="date", page=page, per_page=3))
        for page in (1, 2, 3, 4)
    ]
    assert pages[3] == []
    assert [i for page in pages for i in page] == ids(
        search(corpus, "", sort="date", per_page=100)
    )
    assert search(corpus, "", page=2, per_page=3).total == 8


def test_snippet_marks_matches_and_escapes_the_rest(backend):
    backend.index([doc(1, "Tags", "Use <script>alert(1)</script> & spam filters.")])
    snippet = search(backend, "spam").hits[0].snippet
    assert "<mark>spam</mark>" in snippet
    assert "<script>" not in snippet
    assert "&lt;script&gt;" in snippet
    assert "&amp;" in snippet


def test_terms_are_reported_normalized(corpus):
    assert search(corpus, 'Gouvernance "Société civile"').terms == [
        "gouvernance",
        "societe civile",
    ]


def test_delete_removes_only_those_documents(corpus):
    corpus.delete([2, 999])
    assert corpus.count() == 7
    assert set(ids(search(corpus, "governance"))) == {1}


def test_reindexing_is_idempotent_and_replaces(corpus):
    corpus.index(CORPUS)
    corpus.index(CORPUS)
    assert corpus.count() == 8
    corpus.index([doc(3, "Root servers", "Anycast")])
    assert corpus.count() == 8
    assert ids(search(corpus, "domain")) == []
    assert ids(search(corpus, "anycast")) == [3]


def test_clear_empties_the_index(corpus):
    corpus.clear()
    assert corpus.count() == 0
    assert search(corpus, "governance").total == 0


# Languages ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("互联网", {8}),  # two characters and more inside an unsegmented run
        ("治理", {8}),
        ("网络安全", {8}),
        ("发展中国家", {8}),
        ("网", {8}),  # one character
        ('"互联网治理"', {8}),
        ("互联网 -安全", set()),
        ("حوكمة", {7}),
        ("حَوْكَمَةُ", {7}),  # with diacritics
        ("الانترنت", {7}),  # alef without hamza
        ("الإنترنت", {7}),
        ("الأمن", set()),
        ("المنطقه", {7}),  # teh marbuta folded
        ("societe", {4}),  # without accents
        ("SOCIÉTÉ", {4}),
        ("etats", {4}),
        ("régulation", {4}),
        ("participacion", {5}),
        ("América", {5}),
        ("america", {5}),
        ("государства", {6}),  # Russian in any case
        ("ГОСУДАРСТВА", {6}),
        ("Управление", {6}),
        ("уПРАВЛЕНИЕ", {6}),
    ],
)
def test_every_language_is_searchable(corpus, query, expected):
    assert set(ids(search(corpus, query))) == expected


def test_arabic_final_forms_are_folded(backend):
    backend.index([doc(1, "مكتبة عامة", "مستوى", language="ar")])
    assert ids(search(backend, "مكتبه")) == [1]
    assert ids(search(backend, "مستوي")) == [1]


def test_chinese_snippet_marks_the_word(corpus):
    snippet = search(corpus, "网络安全").hits[0].snippet
    assert "<mark>网络安全</mark>" in snippet


def test_arabic_snippet_marks_the_word_with_its_diacritics(corpus):
    snippet = search(corpus, "حوكمة").hits[0].snippet
    assert "<mark>حَوْكَمَةُ</mark>" in snippet


# Hostile queries -----------------------------------------------------------

HOSTILE = [
    '"',
    '"unbalanced phrase',
    'a "b',
    "(",
    ")",
    "((a)",
    "a) OR (b",
    "[x",
    "{",
    "NEAR(",
    "NEAR(a b, 2)",
    "a NEAR/3 b",
    "*",
    "a*",
    "*a",
    "^",
    "a^2",
    "^a",
    "title:",
    "title:spam",
    "body:x OR summary:",
    "-",
    "--",
    "-spam",
    "-spam -domain",
    '-"internet governance"',
    "OR",
    "OR OR",
    "AND",
    "NOT",
    "spam OR",
    "OR spam",
    "spam AND OR NOT",
    "\x00",
    "spam\x00domain",
    "\x00\x00\x00",
    "x" * 10_000,
    "spam " * 2_000,
    "spam OR " * 1_500,
    "-x " * 3_000,
    '"' * 5_000,
    "(" * 5_000,
    "حوكمة \u202e الإنترنت",
    "\u202e\u202d\u200f",
    "\u200f-حوكمة",
    "الإنترنت OR",
    "'",
    "''",
    "a'b",
    "\\",
    "\\\\",
    "a\\b",
    "%",
    "_",
    "%_",
    ":",
    ";",
    "|",
    "&",
    "!",
    "!!",
    "<->",
    "a <-> b",
    "a & b | !c",
    "the",
    "the of and",
    "le la les",
    "и в на",
    "的",
    "😀",
    "😀 spam",
    "\ufeff",
    "\ud7ff",
    "Ⅻ",
    "ﬁnance",
    "＂全角＂",
    "SELECT * FROM library_search_entry",
    "'; DROP TABLE library_search_entry; --",
    "$1",
    "{{ x }}",
    "<script>alert(1)</script>",
    "null",
    "None",
    "0",
    "-0",
    "1e999",
    "9" * 500,
    "\n\r\t",
    " ",
    "",
]


def _hostile_queries() -> list[str]:
    """The list above, completed to 200 with seeded random junk."""
    rng = random.Random(2004)  # noqa: S311 (seeded test data, not secrets)
    alphabet = '"()[]{}*^:-~+!\\|&<>\x00 \u202e\u200fORNEAR互联网حوكمةspamé'
    queries = list(HOSTILE)
    while len(queries) < 200:
        queries.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))))
    return queries


def test_two_hundred_hostile_queries_never_raise(corpus):
    queries = _hostile_queries()
    assert len(queries) == 200
    for q in queries:
        for sort in ("relevance", "date"):
            result = search(corpus, q, sort=sort, filters={"type": ["report"]})
            assert result.total >= len(result.hits)
            assert (result.hint is None) or isinstance(result.hint, str)


@pytest.mark.parametrize(
    "q", ["***", "-spam", '"', "^^", "\x00", "(*", "-spam -domain", "x" * 10_000]
)
def test_a_query_that_means_nothing_gets_a_hint(corpus, q):
    result = search(corpus, q)
    assert result.hits == []
    assert result.total == 0
    assert result.hint


def test_hint_is_translated(corpus):
    from django.utils import translation

    with translation.override("fr"):
        hint = search(corpus, "-spam").hint
    assert hint != search(corpus, "-spam").hint


def test_bad_page_numbers_are_bounded(corpus):
    result = search(corpus, "", page=-3, per_page=10_000)
    assert len(result.hits) == 8
    assert search(corpus, "", page=10**9, per_page=20).hits == []


# Facet counts of broad searches ----------------------------------------------


def test_broad_searches_estimate_facet_counts_from_a_sample(backend):
    backend.exact_facets, backend.facet_sample = 1_000, 500
    backend.index(
        doc(n, "Spam", facets={"type": ["law" if n % 4 else "report"]})
        for n in range(1, 4001)
    )
    result = backend.search(SearchRequest(q="spam"))
    assert result.total == 4000  # the total is always exact
    assert not result.facets_exact
    counts = dict(result.facets["type"])
    assert set(counts) == {"law", "report"}
    assert abs(counts["law"] - 3000) < 300 and abs(counts["report"] - 1000) < 200
    # A narrower search (under the limit) is counted exactly.
    narrow = backend.search(SearchRequest(q="spam", filters={"type": ["report"]}))
    assert narrow.total == 1000 and narrow.facets_exact
    assert dict(narrow.facets["type"]) == {"report": 1000}
    # So is every search once the limit is raised above it.
    backend.exact_facets = 10_000
    whole = backend.search(SearchRequest(q="spam"))
    assert whole.facets_exact
    assert dict(whole.facets["type"]) == {"law": 3000, "report": 1000}


def test_sample_buckets_spread_documents_evenly():
    sizes = Counter(sample_bucket(n) for n in range(1, 64_001))
    assert set(sizes) == set(range(SAMPLE_BUCKETS))
    assert max(sizes.values()) < 1.1 * 1_000 and min(sizes.values()) > 0.9 * 1_000


@pytest.mark.scale
def test_the_bucket_migration_gives_stored_entries_their_buckets(backend):
    """PostgreSQL (`make test-scale`): entries stored before the bucket column
    get, from the migration's SQL, the buckets `sample_bucket` gives."""
    from django.db import connection

    migration = importlib.import_module(
        "clearinghouse.library.search.migrations.0002_sample_bucket"
    )
    ids = [1, 2, 63, 10**6, 2**40 + 7, 2**62 + 12345, 2**63 - 1]
    backend.index(doc(i, "Spam") for i in ids)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE library_search_entry SET bucket = 0")
        cursor.execute(migration.ADD_SQL)
        cursor.execute("SELECT id, bucket FROM library_search_entry ORDER BY id")
        stored = cursor.fetchall()
    assert stored == [(i, sample_bucket(i)) for i in sorted(ids)]
    assert len({bucket for _id, bucket in stored}) > 3


@pytest.mark.scale
def test_the_texts_migration_keeps_every_entrys_texts(transactional_db):
    """PostgreSQL (`make test-scale`): entries written before the texts moved
    apart keep their snippets' texts, both ways."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from clearinghouse.library.search.postgres_backend import PostgresBackend

    backend = PostgresBackend()
    backend.clear()  # other tests of a whole run may have left entries
    backend.index([doc(1, "Spam and ham", "The body of spam", summary="Brief")])
    executor = MigrationExecutor(connection)
    executor.migrate([("library_search", "0002_sample_bucket")])
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT title, summary, left(body, 8) FROM library_search_entry"
                " WHERE id = 1"
            )
            assert cursor.fetchall() == [("Spam and ham", "Brief", "The body")]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate([("library_search", "0003_texts_apart")])
    result = backend.search(SearchRequest(q="spam"))
    assert [hit.id for hit in result.hits] == [1]
    assert result.hits[0].snippet == "The body of <mark>spam</mark>"
    assert backend._texts([1]) == {1: ("Spam and ham", "Brief", "The body of spam")}
    backend.delete([1])
    assert backend._texts([1]) == {} and backend.count() == 0


@pytest.mark.scale
def test_a_postgresql_search_leaves_the_callers_planner_setting(backend):
    """PostgreSQL (`make test-scale`): inside the caller's transaction, the
    search turns sequential scans off for itself and sets back their value."""
    from django.db import connection

    backend.index([doc(1, "Spam")])
    with connection.cursor() as cursor:
        for value in ("on", "off"):
            cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [value])
            assert backend.search(SearchRequest(q="spam")).total == 1
            cursor.execute("SHOW enable_seqscan")
            assert cursor.fetchone()[0] == value


@pytest.mark.scale
def test_postgresql_ranks_a_fixed_sample_of_a_broad_search(backend):
    """PostgreSQL (`make test-scale`): above SEARCH_PG_RANK_SAMPLE matches,
    the page is ranked among the matches in a few sample buckets; a page
    beyond them is ranked among every match; 0 ranks every match."""
    backend.rank_sample = 100
    backend.index(
        doc(n, "Spam" if n % 10 else "Spam spam spam", f"Message {n} spam")
        for n in range(1, 1601)
    )
    buckets = backend.rank_buckets(1600)
    assert 1 < buckets < SAMPLE_BUCKETS
    in_sample = {n for n in range(1, 1601) if sample_bucket(n) < buckets}
    first = backend.search(SearchRequest(q="spam", per_page=20))
    assert first.total == 1600
    ids = [hit.id for hit in first.hits]
    assert set(ids) <= in_sample
    # The best of the sample: titles saying "spam" three times come first.
    assert all(n % 10 == 0 for n in ids[: min(20, sum(n % 10 == 0 for n in in_sample))])
    second = backend.search(SearchRequest(q="spam", per_page=20, page=2))
    assert not set(ids) & {hit.id for hit in second.hits}
    # A page past the sample's matches is ranked among every match.
    deep_page = len(in_sample) // 20 + 2
    deep = backend.search(SearchRequest(q="spam", per_page=20, page=deep_page))
    assert len(deep.hits) == 20
    backend.rank_sample = 0
    assert backend.rank_buckets(1600) == SAMPLE_BUCKETS
    every = backend.search(SearchRequest(q="spam", per_page=20))
    assert all(hit.id % 10 == 0 for hit in every.hits)
    assert {hit.id for hit in every.hits} - in_sample  # beyond the sample


@pytest.mark.scale
def test_postgresql_writes_a_large_stream_with_several_connections(
    transactional_db, settings
):
    """PostgreSQL (`make test-scale`): outside a transaction, batches go to
    writer threads; inside one, they stay in the caller's transaction; a
    batch the server refuses is an error, not a silent loss."""
    from django.db import DatabaseError, transaction

    from clearinghouse.library.search.postgres_backend import BATCH, PostgresBackend

    settings.SEARCH_PG_WRITERS = 3
    backend = PostgresBackend()
    backend.clear()
    n = 3 * BATCH + 7
    try:
        assert backend.index(doc(i, f"Spam {i}") for i in range(1, n + 1)) == n
        assert backend.count() == n
        assert backend.search(SearchRequest(q=f"spam {n}")).total == 1
        with transaction.atomic():
            backend.index(doc(i, "Ham") for i in range(n + 1, n + 2 * BATCH + 1))
            assert backend.count() == n + 2 * BATCH
            transaction.set_rollback(True)
        assert backend.count() == n
        too_large = [doc(i, "Eggs") for i in range(n + 1, n + 2 * BATCH)]
        too_large.append(doc(2**63, "Eggs"))  # beyond bigint: refused
        with pytest.raises(DatabaseError):
            backend.index(too_large)
    finally:
        backend.clear()


# Choosing the engine ---------------------------------------------------------


def test_backend_is_chosen_by_setting(settings, tmp_path):
    from clearinghouse.library.search.postgres_backend import PostgresBackend
    from clearinghouse.library.search.tantivy_backend import TantivyBackend

    settings.SEARCH_INDEX_DIR = tmp_path
    settings.SEARCH_BACKEND = "tantivy"
    assert isinstance(get_backend(), TantivyBackend)
    settings.SEARCH_BACKEND = "postgresql"
    assert isinstance(get_backend(), PostgresBackend)
    settings.SEARCH_BACKEND = ""
    on_pg = "postgresql" in settings.DATABASES["default"]["ENGINE"]
    expected = PostgresBackend if on_pg else TantivyBackend
    assert isinstance(get_backend(), expected)
