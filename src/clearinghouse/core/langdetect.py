"""Detect which of the six working languages a text is written in.

lingua's models for the six languages are loaded once per process, on first
use (about a second and 100 MB). Among the six, Arabic, Chinese and Russian
each have a script of their own, so even a single word of them is decided by
its script; English, French and Spanish share the Latin script and need a
sentence's worth of letters and a clear margin. Anything less is "unknown"
(an empty string), for a person to correct.
"""

import threading
import unicodedata
from functools import cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

UNKNOWN = ""
# Our language codes (settings.LANGUAGES) for lingua's languages.
_CODES = {
    Language.ARABIC: "ar",
    Language.CHINESE: "zh-hans",
    Language.ENGLISH: "en",
    Language.FRENCH: "fr",
    Language.RUSSIAN: "ru",
    Language.SPANISH: "es",
}
# Latin-script text shorter than this many letters is too short to tell
# English, French and Spanish apart reliably.
MIN_LATIN_LETTERS = 20
# The detector's confidence in its first choice must reach this.
MIN_CONFIDENCE = 0.6
# Only the start of a long text is looked at: it decides as well and costs less.
SAMPLE_CHARS = 2000

_lock = threading.Lock()


@cache
def _detector() -> LanguageDetector:
    with _lock:
        return (
            LanguageDetectorBuilder.from_languages(*_CODES)
            .with_preloaded_language_models()
            .build()
        )


def _script_counts(text: str) -> dict[str, int]:
    counts = {"latin": 0, "arabic": 0, "cyrillic": 0, "han": 0}
    for char in text:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        if name.startswith("LATIN"):
            counts["latin"] += 1
        elif name.startswith("ARABIC"):
            counts["arabic"] += 1
        elif name.startswith("CYRILLIC"):
            counts["cyrillic"] += 1
        elif name.startswith("CJK"):
            counts["han"] += 1
    return counts


def detect_language(text: str) -> str:
    """Return the language code of `text` ("ar", "zh-hans", "en", "fr", "ru",
    "es"), or UNKNOWN when the text is too short or too mixed to tell."""
    sample = (text or "")[:SAMPLE_CHARS]
    counts = _script_counts(sample)
    letters = sum(counts.values())
    if not letters:
        return UNKNOWN
    script, most = max(counts.items(), key=lambda item: item[1])
    if most < letters * 0.6:
        # Mixed scripts with no clear majority: let the detector decide below,
        # but only on enough text.
        script = "mixed"
    if script == "arabic":
        return "ar"
    if script == "cyrillic":
        return "ru"
    if script == "han":
        return "zh-hans"
    if counts["latin"] < MIN_LATIN_LETTERS:
        return UNKNOWN
    confidences = _detector().compute_language_confidence_values(sample)
    if not confidences or confidences[0].value < MIN_CONFIDENCE:
        return UNKNOWN
    return _CODES[confidences[0].language]
