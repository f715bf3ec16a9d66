"""Text normalization shared by every search engine, at index and at query time.

The engines never see raw text: both the documents and the queries go through
`normalize()` then `tokens()`, so that matching behaves the same on every
engine and in every language:

- Unicode NFKC, then case folding (Russian, Greek, Latin in any case);
- combining marks removed after canonical decomposition: Latin accents
  (é → e, ñ → n), Cyrillic breves and diaereses (й → и, ё → е), Arabic
  diacritics (tashkeel), the hamza and madda carried by alef (أ إ آ → ا);
- Arabic tatweel removed; alef wasla (ٱ) → ا; alef maqsura (ى) → ي and
  teh marbuta (ة) → ه, the usual Arabic search normalization, since writers
  use both forms interchangeably at the end of words;
- Chinese (Han) runs segmented into overlapping bigrams, followed by the run's
  single characters, so that any word of two characters or more is found as
  a phrase of bigrams and a one-character query finds its character.
"""

import re
import unicodedata
from functools import lru_cache

# Longest token kept, in characters: longer runs are noise (hashes, base64)
# and would only bloat the dictionaries. The same limit applies to queries.
MAX_TOKEN_CHARS = 40

_ARABIC_FOLD = str.maketrans(
    {
        "\u0640": None,  # tatweel
        "\u0671": "\u0627",  # alef wasla → alef
        "\u0649": "\u064a",  # alef maqsura → yeh
        "\u0629": "\u0647",  # teh marbuta → heh
    }
)
_ARABIC_FOLDED = re.compile("[\u0640\u0671\u0649\u0629]")
# Combining marks (Unicode category Mn) of the scripts we fold.
_MARKS = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f"
    "\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed\u1ab0-\u1aff"
    "\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
)
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
_HAN_RUN = re.compile(f"[{_HAN}]+")
# A token: a run of word characters; Han runs are split off other scripts.
_TOKEN = re.compile(f"[{_HAN}]+|[^\\W{_HAN}]+")
_WORD = re.compile(r"\w+")
_ASCII_SEPARATORS = str.maketrans(
    {chr(c): " " for c in range(128) if not (chr(c).isalnum() or chr(c) == "_")}
)


def normalize(text: str) -> str:
    """Fold text into the form every engine indexes and searches (see module)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if text.isascii():
        return text
    text = _MARKS.sub("", unicodedata.normalize("NFD", text))
    text = unicodedata.normalize("NFC", text)
    if _ARABIC_FOLDED.search(text):  # translate() is slow on non-ASCII text
        text = text.translate(_ARABIC_FOLD)
    return text


def tokens(normalized: str) -> list[str]:
    """Split normalized text into the tokens the engines index."""
    if normalized.isascii():
        # str.translate has a fast path for ASCII: punctuation becomes spaces.
        words = normalized.translate(_ASCII_SEPARATORS).split()
        return [t for t in words if len(t) <= MAX_TOKEN_CHARS]
    if not _HAN_RUN.search(normalized):
        return [t for t in _WORD.findall(normalized) if len(t) <= MAX_TOKEN_CHARS]
    out: list[str] = []
    for token in _TOKEN.findall(normalized):
        if token[0] >= "\u3400" and _HAN_RUN.fullmatch(token):
            if len(token) == 1:
                out.append(token)
            else:  # overlapping bigrams, then the single characters
                out += map(str.__add__, token[:-1], token[1:])
                out += token
        elif len(token) <= MAX_TOKEN_CHARS:
            out.append(token)
    return out


class _ChunkTokens(dict):
    """Normalized tokens of whitespace-separated chunks of original text.

    Text is Zipfian: a few thousand chunks make up most of any corpus, so
    indexing looks most chunks up (at C speed) instead of normalizing them
    again. Bounded: cleared when full, a cheap and rare event.
    """

    size = 500_000

    def __missing__(self, chunk: str) -> str:
        found = " ".join(tokens(normalize(chunk)))
        if len(chunk) <= 32:  # long chunks (unsegmented scripts) are rare twice
            if len(self) >= self.size:
                self.clear()
            self[chunk] = found
        return found


_CHUNKS = _ChunkTokens()


def index_text(text: str) -> str:
    """Text as the engines store it for matching: tokens separated by spaces.

    The same as `" ".join(tokens(normalize(text)))`: whitespace stays a
    separator under normalization and no token spans it, so text that is not
    plain ASCII is normalized chunk by chunk (between whitespace), each
    distinct chunk once (see `_ChunkTokens`).
    """
    if text.isascii():
        return " ".join(tokens(normalize(text)))
    return " ".join(filter(None, map(_CHUNKS.__getitem__, text.split())))


def query_tokens(word: str) -> list[str]:
    """Tokens of one query word, as a phrase: Han words become bigrams only.

    A Han word of two characters or more is its run of overlapping bigrams
    (matched as a phrase, so "互联网" is found inside "全球互联网治理"); a single
    Han character is itself (indexed as a unigram).
    """
    out: list[str] = []
    for token in _TOKEN.findall(normalize(word)):
        if token[0] >= "\u3400" and _HAN_RUN.fullmatch(token):
            if len(token) == 1:
                out.append(token)
            else:
                out.extend(token[i : i + 2] for i in range(len(token) - 1))
        elif len(token) <= MAX_TOKEN_CHARS:
            out.append(token)
    return out


@lru_cache(maxsize=200_000)
def token_key(original: str) -> str:
    """The normalized form of one original token (cached: used for snippets)."""
    return normalize(original)


# Original-text tokens for snippets: word characters plus the marks and the
# tatweel that normalization removes, so that boundaries match the index's.
SNIPPET_TOKEN = re.compile(
    f"[{_HAN}]+|(?:[^\\W{_HAN}]|[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u0640])+"
)
HAN_RUN = _HAN_RUN
