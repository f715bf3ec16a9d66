"""The embedded engine: a tantivy index in a directory (default var/search/).

Layout of a document in the index:

- `id` (i64, indexed, fast): the document's primary key;
- `text`: title, summary and body, normalized and tokenized by `text.py`
  (whitespace-separated tokens, positions kept for phrases); `head`: title
  and summary again, a scoring boost for matches there;
- `day` (i64, fast): the date as days since 1970 (documents without a date
  last), for sorting by date;
- `src` (bytes, stored): the original title, summary and body, for snippets;
- per facet key, `f_<key>` (raw terms, indexed) for filtering, and the
  values again in single-valued fast columns `c_<key>_<n>` (one per value
  slot) plus `c_<key>_x` for values beyond the slots. Facet counts are terms
  aggregations over those columns: tantivy counts a single-valued column
  several times faster than a multi-valued one, which decides whether a term
  matching half a million documents meets the latency target (see the
  decision record 0005).

- `bucket` (i64, indexed): a fixed pseudo-random sample bucket (0–63) of
  the document. When a search matches more than SEARCH_EXACT_FACETS_UP_TO
  documents, its facets are counted over the matches in enough buckets for
  about FACET_SAMPLE of them and scaled up (`SearchResult.facets_exact` is
  then false); the total is always exact.

One writer at a time: a file lock beside the index serializes writers
across processes. A process keeps its writer for WRITER_LINGER seconds
after a change, so that a stream of changes shares one writer and segments
merge in the background, then waits for the merges and releases the lock.
Readers reload when the index's meta.json changes. Measurements: decision
records 0005 and 0012.
"""

import atexit
import concurrent.futures
import fcntl
import itertools
import json
import logging
import multiprocessing
import os
import threading
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import tantivy

from .base import (
    FACET_KEYS,
    SAMPLE_BUCKETS,
    IndexDoc,
    SearchBackend,
    SearchRequest,
    sample_bucket,
    scale_sampled,
)
from .query import ParsedQuery, Phrase
from .text import index_text

logger = logging.getLogger(__name__)

TOKENIZER = "clearinghouse"
# Value slots per facet: most documents have at most this many values, and
# every slot is a single-valued column (see the module docstring).
SLOTS = {
    "issue": 4,
    "area": 2,
    "type": 1,
    "language": 1,
    "year": 1,
    "institution": 2,
    "stakeholder_group": 2,
    "region": 3,
    "jurisdiction": 1,
}
HEAD_BOOST = 2.0
NO_DATE = -(10**6)  # sorts last in descending date order
WRITER_HEAP = 256 * 1024 * 1024
# Indexing threads of the writer: one while the machine has two cores or
# fewer, so that a core is left to the Python side (normalizing text,
# building documents). Each thread writes a segment of its own per commit:
# two threads made two segments per batch of 1,000 and more merges, and
# indexing cost about 40 % more CPU per document (decision record 0012).
WRITER_THREADS = max(1, min(2, (os.cpu_count() or 1) - 1))
WORKERS = min(4, (os.cpu_count() or 1) - 1 - WRITER_THREADS)
# Seconds the writer stays open after a change: a stream of changes (a
# reindex, a harvest, a burst of edits) shares one writer, and its segments
# are merged in the background instead of waited for at every commit.
WRITER_LINGER = 2.0
COMMIT_EVERY = 50_000
AGG_SIZE = 65_000 // (sum(SLOTS.values()) + len(SLOTS))  # tantivy's bucket cap
EPOCH = date(1970, 1, 1)
COUNT_AGG = {"total": {"value_count": {"field": "id"}}}
_OPEN = weakref.WeakSet()  # backends of this process, closed at exit
# Documents are prepared in chunks of CHUNK; a chunk of at least
# PARALLEL_FROM documents (a reindex, a harvest, a bulk import) is prepared
# by WORKERS processes: the cores left beside this process's thread and the
# writer's indexing threads (none on two cores, where a pool only competed
# with them: decision record 0012).
CHUNK = 2_000
PARALLEL_FROM = 1_000
_POOL: concurrent.futures.ProcessPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


@atexit.register
def _close_writers() -> None:
    for backend in list(_OPEN):
        backend.close_writer()


def _prepare(texts: tuple[str, str, str]) -> tuple[str, str, bytes]:
    """A document's indexed head and text and its stored source.

    Module-level so that worker processes can run it (see `_prepared`).
    """
    title, summary, body = texts
    head = index_text(f"{title}\n{summary}")
    source = json.dumps([title, summary, body], ensure_ascii=False).encode()
    return head, f"{head} {index_text(body)}", source


def _pool() -> concurrent.futures.ProcessPoolExecutor:
    """The process's pool of text-preparing workers, started when first needed.

    Workers are spawned, not forked: the parent runs tantivy's threads.
    """
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = concurrent.futures.ProcessPoolExecutor(
                WORKERS, mp_context=multiprocessing.get_context("spawn")
            )
        return _POOL


@atexit.register
def _stop_pool() -> None:
    global _POOL
    with _POOL_LOCK:
        pool, _POOL = _POOL, None
    if pool is not None:
        pool.shutdown(cancel_futures=True)


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("id", stored=True, indexed=True, fast=True)
    sb.add_text_field("text", tokenizer_name=TOKENIZER, index_option="position")
    sb.add_text_field("head", tokenizer_name=TOKENIZER, index_option="position")
    sb.add_integer_field("day", indexed=False, fast=True)
    sb.add_integer_field("bucket", indexed=True, fast=False)
    sb.add_bytes_field("src", stored=True, indexed=False, fast=False)
    for key in FACET_KEYS:
        sb.add_text_field(f"f_{key}", tokenizer_name="raw", index_option="basic")
        for slot in [*range(SLOTS[key]), "x"]:
            sb.add_text_field(
                f"c_{key}_{slot}",
                tokenizer_name="raw",
                fast=True,
                index_option="basic",
            )
    return sb.build()


def _analyzer() -> tantivy.TextAnalyzer:
    # Text arrives normalized and tokenized (text.py): split on spaces only.
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
        .filter(tantivy.Filter.remove_long(255))
        .build()
    )


class TantivyBackend(SearchBackend):
    """Search backend on an embedded tantivy index (see the module docstring)."""

    name = "tantivy"

    def __init__(self, *, index_dir: str | os.PathLike) -> None:
        super().__init__()
        self.path = Path(index_dir)
        self.path.mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        self._lock = threading.Lock()
        self._write_lock = threading.RLock()
        self._writer_: tantivy.IndexWriter | None = None
        self._writer_lock = None  # the open lock file while a writer is open
        self._closer: threading.Timer | None = None
        self._uncommitted = False  # changes indexed without `commit`
        _OPEN.add(self)
        self._meta_seen = None
        self.index_ = self._open_index()
        self.index_.register_tokenizer(TOKENIZER, _analyzer())
        self._aggs = {
            f"c_{key}_{slot}": {"terms": {"field": f"c_{key}_{slot}", "size": AGG_SIZE}}
            for key in FACET_KEYS
            for slot in [*range(SLOTS[key]), "x"]
        }
        self.parallel_from = PARALLEL_FROM

    def _open_index(self) -> tantivy.Index:
        """The index in the directory; one of an older layout is started afresh.

        The index is derived data: after a change of layout it is emptied and
        `clearinghouse reindex` rebuilds it from the database.
        """
        try:
            return tantivy.Index(self.schema, path=str(self.path), reuse=True)
        except ValueError as error:
            if "schema does not match" not in str(error):
                raise
        with open(self.path / ".writer.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                return tantivy.Index(self.schema, path=str(self.path), reuse=True)
            except ValueError:
                logger.warning(
                    "search.tantivy.layout_changed: index emptied, run reindex",
                    extra={"index_dir": str(self.path)},
                )
                for entry in self.path.iterdir():
                    if entry.is_file() and entry.name != ".writer.lock":
                        entry.unlink()
                return tantivy.Index(self.schema, path=str(self.path), reuse=True)

    # Writing -----------------------------------------------------------------

    @contextmanager
    def _writing(self, *, commit: bool = True) -> Iterator[tantivy.IndexWriter]:
        """The process's writer for one change, committed and visible after it.

        The writer stays open between changes (merges go on in its
        background threads) and is closed WRITER_LINGER seconds after the
        last one, which releases the inter-process lock for other writers.
        A change that fails is rolled back with every change not yet
        committed; earlier changes stay committed. Without `commit`, the
        change waits for `commit()` (and the writer stays open until then).
        """
        with self._write_lock:
            if self._closer is not None:
                self._closer.cancel()
                self._closer = None
            writer = self._open_writer()
            try:
                yield writer
                if commit:
                    writer.commit()
                self._uncommitted = not commit
            except BaseException:
                self._uncommitted = False
                self._discard_writer(writer)
                raise
            finally:
                self._schedule_close()
        if commit:
            self._reload(force=True)

    def commit(self) -> None:
        """Commit the changes indexed without committing; they become visible."""
        with self._write_lock:
            if not self._uncommitted or self._writer_ is None:
                return
            writer = self._writer_
            try:
                writer.commit()
            except BaseException:
                self._discard_writer(writer)
                raise
            finally:
                self._uncommitted = False
                self._schedule_close()
        self._reload(force=True)

    def _open_writer(self) -> tantivy.IndexWriter:
        if self._writer_ is None:
            lock = open(self.path / ".writer.lock", "w")  # noqa: SIM115 (held open)
            try:
                fcntl.flock(lock, fcntl.LOCK_EX)
                self._writer_ = self.index_.writer(WRITER_HEAP, WRITER_THREADS)
            except BaseException:
                lock.close()
                raise
            self._writer_lock = lock
        return self._writer_

    def _discard_writer(self, writer: tantivy.IndexWriter) -> None:
        """Drop uncommitted changes; a writer that cannot roll back is closed."""
        try:
            writer.rollback()
        except Exception:
            logger.exception("search.tantivy.rollback_failed")
            self._writer_ = None
            self._release_lock()

    def _schedule_close(self) -> None:
        if self._writer_ is None or self._uncommitted:
            # Changes wait for `commit()`, which closes the writer later.
            return
        self._closer = threading.Timer(WRITER_LINGER, self.close_writer)
        self._closer.daemon = True
        self._closer.start()

    def close_writer(self) -> None:
        """Commit what waits, let merges finish, close the writer and release
        the writers' lock."""
        self.commit()
        with self._write_lock:
            if self._closer is not None:
                self._closer.cancel()
                self._closer = None
            writer, self._writer_ = self._writer_, None
            try:
                if writer is not None:
                    writer.wait_merging_threads()
            except Exception:
                logger.exception("search.tantivy.close_failed")
            finally:
                self._release_lock()

    def _release_lock(self) -> None:
        lock, self._writer_lock = self._writer_lock, None
        if lock is not None:
            lock.close()  # closing the file releases its flock

    def _document(self, doc: IndexDoc, prepared: tuple[str, str, bytes]):
        head, text, src = prepared
        d = tantivy.Document()
        d.add_integer("id", doc.id)
        d.add_text("text", text)
        d.add_text("head", head)
        d.add_integer("day", (doc.date - EPOCH).days if doc.date else NO_DATE)
        d.add_integer("bucket", sample_bucket(doc.id))
        d.add_bytes("src", src)
        for key in FACET_KEYS:
            values = sorted({str(v) for v in doc.facets.get(key, ()) if v})
            slots = SLOTS[key]
            for i, value in enumerate(values):
                d.add_text(f"f_{key}", value)
                d.add_text(f"c_{key}_{i if i < slots else 'x'}", value)
        return d

    def index(self, docs: Iterable[IndexDoc], *, commit: bool = True) -> int:
        """Add or replace documents (by id); committed before returning, or,
        without `commit`, at the next `commit()` (or change that commits).

        The replaced versions are deleted by one query per chunk over the
        chunk's ids (one call into tantivy, one delete operation for it to
        apply to each segment, instead of one per document). A delete reaches
        only documents added before it, so it precedes the chunk's additions,
        and of documents repeated within a chunk only the last is added.
        """
        written = uncommitted = 0
        with self._writing(commit=commit) as writer:
            for chunk, texts in self._prepared(docs):
                ids = [doc.id for doc in chunk]
                writer.delete_documents_by_query(
                    tantivy.Query.term_set_query(self.schema, "id", ids)
                )
                last = {doc_id: n for n, doc_id in enumerate(ids)}
                for n, (doc, prepared) in enumerate(zip(chunk, texts, strict=True)):
                    if last[doc.id] == n:
                        writer.add_document(self._document(doc, prepared))
                written += len(chunk)
                uncommitted += len(chunk)
                if uncommitted >= COMMIT_EVERY:
                    writer.commit()
                    uncommitted = 0
        return written

    def _prepared(self, docs: Iterable[IndexDoc]):
        """(chunk of documents, their prepared texts) pairs, in order.

        Normalizing text is the Python side's main cost of indexing (decision
        record 0012). Where cores are left for them (WORKERS), chunks of at
        least `parallel_from` documents are prepared by a pool of worker
        processes, one chunk ahead of the writer; otherwise this thread
        prepares each document as tantivy's indexing thread takes the last.
        """
        docs = iter(docs)
        chunks = iter(lambda: list(itertools.islice(docs, CHUNK)), [])
        ahead = None
        for chunk in chunks:
            if len(chunk) < self.parallel_from or WORKERS < 1:
                texts = map(_prepare, [(d.title, d.summary, d.body) for d in chunk])
            else:
                texts = _pool().map(
                    _prepare,
                    [(d.title, d.summary, d.body) for d in chunk],
                    chunksize=max(1, len(chunk) // (4 * WORKERS)),
                )
            if ahead is not None:
                yield ahead
            ahead = (chunk, texts)
        if ahead is not None:
            yield ahead

    def delete(self, ids: Iterable[int]) -> None:
        """Remove documents by id; unknown ids are ignored."""
        with self._writing() as writer:
            for doc_id in ids:
                writer.delete_documents_by_term("id", int(doc_id))

    def clear(self) -> None:
        """Remove every document."""
        with self._writing() as writer:
            writer.delete_all_documents()

    def count(self) -> int:
        """The number of documents indexed."""
        return self._searcher().num_docs

    # Reading -----------------------------------------------------------------

    def _reload(self, *, force: bool = False) -> None:
        """Reload the reader when another process committed (cheap stat).

        A commit replaces meta.json (a new file renamed over it), so its inode
        changes with every commit; its modification time alone does not tell
        two commits within one tick of the kernel's coarse clock (4 ms here)
        apart, and a reader then kept the older one.
        """
        try:
            stat = (self.path / "meta.json").stat()
            meta = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            meta = None
        if force or meta != self._meta_seen:
            with self._lock:
                self.index_.reload()
                self._meta_seen = meta

    def _searcher(self) -> tantivy.Searcher:
        self._reload()
        return self.index_.searcher()

    def _phrase(self, field: str, phrase: Phrase) -> tantivy.Query:
        if len(phrase.tokens) == 1:
            return tantivy.Query.term_query(self.schema, field, phrase.tokens[0])
        return tantivy.Query.phrase_query(self.schema, field, list(phrase.tokens))

    def _any(self, field: str, phrases: list[Phrase]) -> tantivy.Query:
        if len(phrases) == 1:
            return self._phrase(field, phrases[0])
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, self._phrase(field, p)) for p in phrases]
        )

    def _query(self, query: ParsedQuery, request: SearchRequest) -> tantivy.Query:
        Occur = tantivy.Occur
        clauses = []
        if query.blank:
            clauses.append((Occur.Must, tantivy.Query.all_query()))
        for group in query.must:
            clauses.append((Occur.Must, self._any("text", group)))
        if query.must:
            heads = [p for group in query.must for p in group]
            clauses.append(
                (
                    Occur.Should,
                    tantivy.Query.boost_query(self._any("head", heads), HEAD_BOOST),
                )
            )
        for phrase in query.must_not:
            clauses.append((Occur.MustNot, self._phrase("text", phrase)))
        for key, values in request.filters.items():
            terms = tantivy.Query.term_set_query(self.schema, f"f_{key}", values)
            clauses.append((Occur.Must, tantivy.Query.const_score_query(terms, 0.0)))
        return tantivy.Query.boolean_query(clauses)

    def _search(self, query: ParsedQuery, request: SearchRequest):
        searcher = self._searcher()
        q = self._query(query, request)
        offset = (request.page - 1) * request.per_page
        if request.sort == "date" or query.blank:
            result = searcher.search(
                q,
                request.per_page,
                count=False,
                order_by_field="day",
                offset=offset,
                order=tantivy.Order.Desc,
            )
            score_of = None
        else:
            # No count here: counting would score every match, where the top
            # documents alone are found with block-max WAND.
            result = searcher.search(q, request.per_page, count=False, offset=offset)
            score_of = float
        # The page's stored texts, read by the addresses the search returned.
        pairs, texts = [], {}
        for key, addr in result.hits:
            doc = searcher.doc(addr)
            doc_id = int(doc.get_first("id"))
            pairs.append((doc_id, score_of(key) if score_of else 0.0))
            texts[doc_id] = tuple(json.loads(bytes(doc.get_first("src"))))
        total = int(searcher.aggregate(q, COUNT_AGG)["total"]["value"] or 0)
        if not request.facets:
            return pairs, total, {}, True, texts
        counts, exact = self._facet_counts(searcher, q, total)
        return pairs, total, counts, exact, texts

    def _facet_counts(self, searcher: tantivy.Searcher, q: tantivy.Query, total: int):
        """Facet counts over the matches, or estimated from a sample of them.

        Up to `exact_facets` matches every match is counted. Beyond, the
        counts are those of the matches in enough sample buckets (a fixed
        pseudo-random partition of the documents) for about FACET_SAMPLE
        matches, scaled up: the cost stays that of FACET_SAMPLE matches
        however broad the query.
        """
        counts: dict[str, dict[str, int]] = {key: {} for key in FACET_KEYS}
        if not total:
            return counts, True
        buckets = self.sample_buckets(total)
        if buckets < SAMPLE_BUCKETS:
            sample = tantivy.Query.term_set_query(
                self.schema, "bucket", list(range(buckets))
            )
            q = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Must, q),
                    (tantivy.Occur.Must, tantivy.Query.const_score_query(sample, 0.0)),
                ]
            )
        for name, agg in searcher.aggregate(q, self._aggs).items():
            key = name[2:].rsplit("_", 1)[0]
            bucket_counts = counts[key]
            for bucket in agg["buckets"]:
                value = bucket["key"]
                bucket_counts[value] = bucket_counts.get(value, 0) + bucket["doc_count"]
        return counts, scale_sampled(counts, buckets)

    def _texts(self, ids: list[int]) -> dict[int, tuple[str, str, str]]:
        searcher = self._searcher()
        q = tantivy.Query.term_set_query(self.schema, "id", ids)
        out = {}
        for _score, addr in searcher.search(q, len(ids), count=False).hits:
            doc = searcher.doc(addr)
            title, summary, body = json.loads(bytes(doc.get_first("src")))
            out[int(doc.get_first("id"))] = (title, summary, body)
        return out
