"""A local spam classifier: multinomial naive Bayes over character n-grams.

No third-party service sees the contributions. Features are the character
2- to 4-grams of the normalized text (so it works alike for Arabic, Chinese
and the Latin and Cyrillic languages, without word segmentation), hashed
into 2**18 buckets, plus a few signals spam has and policy answers rarely
have: many links, repeated text, a form sent within seconds. Each
moderator's decision (approved → not spam, rejected as spam → spam) adds
its counts, so the model learns as the moderators work; `spam_retrain`
rebuilds it from every decision.

The classifier never rejects: a contribution it finds doubtful goes to the
moderators' queue. Until it has seen MIN_DOCUMENTS of each class it gives
no score at all.
"""

import io
import logging
import math
import re
import threading
import zlib
from dataclasses import dataclass

import numpy as np
from django.db import transaction

from .models import SpamModel
from .text import count_links

log = logging.getLogger(__name__)

BUCKETS = 2**18
NGRAMS = (2, 3, 4)
MAX_CHARS = 3000
MIN_DOCUMENTS = 20
# A score at or above this sends the contribution to the queue.
QUEUE_AT = 0.5
# Weight of each signal beside the n-grams (a text has hundreds of those).
SIGNAL_WEIGHT = 8
# Naive Bayes sums evidence as if every n-gram were independent, which makes
# long texts look certain; the log-odds are scaled to this many features.
EFFECTIVE_FEATURES = 60
MODEL_NAME = "contributions"
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w+")


def signals(text: str, *, fill_seconds: float | None, links: int | None) -> list[str]:
    """Named signals of a contribution, beside its n-grams."""
    links = count_links(text) if links is None else links
    found = [f"#links:{min(links, 3)}"]
    words = _WORD.findall(text.lower())
    if len(words) >= 8 and len(set(words)) / len(words) < 0.45:
        found.append("#repeated-words")
    if re.search(r"(.{4,}?)\1{3,}", text):
        found.append("#repeated-run")
    if fill_seconds is not None:
        if fill_seconds < 5:
            found.append("#fill:fast")
        elif fill_seconds < 15:
            found.append("#fill:quick")
        else:
            found.append("#fill:slow")
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 20 and sum(c.isupper() for c in letters) / len(letters) > 0.5:
        found.append("#shouting")
    if text.count("!") >= 3 or "$" in text or "€" in text:
        found.append("#money-or-exclamation")
    return found


def _hash(feature: str) -> int:
    return zlib.crc32(feature.encode()) % BUCKETS


def featurize(
    text: str, *, fill_seconds: float | None = None, links: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Bucket indexes and counts of a text's features."""
    normalized = " " + _SPACES.sub(" ", text.lower()[:MAX_CHARS]).strip() + " "
    hashes = [
        _hash(normalized[i : i + n])
        for n in NGRAMS
        for i in range(len(normalized) - n + 1)
    ]
    weights = [1.0] * len(hashes)
    for signal in signals(text, fill_seconds=fill_seconds, links=links):
        hashes.append(_hash(signal))
        weights.append(SIGNAL_WEIGHT)
    if not hashes:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    index = np.asarray(hashes, dtype=np.int64)
    unique, inverse = np.unique(index, return_inverse=True)
    counts = np.bincount(inverse, weights=np.asarray(weights))
    return unique, counts


@dataclass
class Example:
    """A text with its context, for training or scoring."""

    text: str
    fill_seconds: float | None = None
    links: int | None = None


class NaiveBayes:
    """Two-class multinomial naive Bayes over hashed features (0: ham, 1: spam)."""

    def __init__(self, counts: np.ndarray | None = None, documents=None):
        self.counts = (
            np.zeros((2, BUCKETS), dtype=np.float64) if counts is None else counts
        )
        self.documents = list(documents or [0, 0])
        self._log_ratio: np.ndarray | None = None

    @property
    def trained(self) -> bool:
        return min(self.documents) >= MIN_DOCUMENTS

    def learn(self, example: Example, *, spam: bool, weight: float = 1.0) -> None:
        """Add one example's counts to its class (negative weight forgets it)."""
        index, counts = featurize(
            example.text, fill_seconds=example.fill_seconds, links=example.links
        )
        label = 1 if spam else 0
        self.counts[label, index] = np.maximum(
            self.counts[label, index] + weight * counts, 0
        )
        self.documents[label] = max(0, self.documents[label] + round(weight))
        self._log_ratio = None

    def _ratio(self) -> np.ndarray:
        if self._log_ratio is None:
            alpha = 0.5
            totals = self.counts.sum(axis=1, keepdims=True) + alpha * BUCKETS
            logp = np.log((self.counts + alpha) / totals)
            self._log_ratio = logp[1] - logp[0]
        return self._log_ratio

    def score(self, example: Example) -> float | None:
        """Probability that the example is spam; None while untrained."""
        if not self.trained:
            return None
        index, counts = featurize(
            example.text, fill_seconds=example.fill_seconds, links=example.links
        )
        if not len(index):
            return None
        evidence = float(np.dot(counts, self._ratio()[index]))
        scale = min(1.0, EFFECTIVE_FEATURES / float(counts.sum()))
        prior = math.log(self.documents[1] / self.documents[0])
        log_odds = prior + evidence * scale
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, log_odds))))

    def dump(self) -> bytes:
        buffer = io.BytesIO()
        np.save(buffer, self.counts.astype(np.float32), allow_pickle=False)
        return buffer.getvalue()

    @classmethod
    def load(cls, blob: bytes, documents) -> "NaiveBayes":
        counts = np.load(io.BytesIO(bytes(blob)), allow_pickle=False)
        return cls(counts.astype(np.float64), documents)


_cache: dict[str, tuple[object, NaiveBayes]] = {}
_lock = threading.Lock()


def classifier() -> NaiveBayes:
    """The stored classifier, reloaded only when it changed."""
    row = (
        SpamModel.objects.filter(name=MODEL_NAME)
        .values_list("updated_at", flat=True)
        .first()
    )
    if row is None:
        return NaiveBayes()
    with _lock:
        cached = _cache.get(MODEL_NAME)
        if cached and cached[0] == row:
            return cached[1]
    stored = SpamModel.objects.get(name=MODEL_NAME)
    model = NaiveBayes.load(stored.counts, stored.documents)
    with _lock:
        _cache[MODEL_NAME] = (stored.updated_at, model)
    return model


@transaction.atomic
def classifier_learn(*, example: Example, spam: bool, weight: float = 1.0) -> None:
    """Add a moderator's decision to the stored classifier."""
    stored = SpamModel.objects.select_for_update().filter(name=MODEL_NAME).first()
    model = NaiveBayes.load(stored.counts, stored.documents) if stored else NaiveBayes()
    model.learn(example, spam=spam, weight=weight)
    classifier_store(model=model)


@transaction.atomic
def classifier_store(*, model: NaiveBayes) -> None:
    """Save a classifier as the one in use."""
    SpamModel.objects.update_or_create(
        name=MODEL_NAME,
        defaults={"counts": model.dump(), "documents": model.documents},
    )
    log.info("spam.classifier.stored", extra={"documents": model.documents})


@transaction.atomic
def classifier_rebuild(*, dry_run: bool = False) -> tuple[int, int]:
    """Train a new classifier on every moderator's decision; (ham, spam) counts."""
    from .models import Contribution, Status

    model = NaiveBayes()
    decided = Contribution.objects.filter(
        moderated_by__isnull=False, status__in=[Status.PUBLISHED, Status.SPAM]
    ).values_list("body", "fill_seconds", "link_count", "status")
    counts = [0, 0]
    for body, fill, links, status in decided.iterator():
        is_spam = status == Status.SPAM
        counts[is_spam] += 1
        if not dry_run:
            model.learn(Example(body, fill_seconds=fill, links=links), spam=is_spam)
    if not dry_run:
        classifier_store(model=model)
    return counts[0], counts[1]
