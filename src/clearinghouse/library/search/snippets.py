"""HTML-safe snippets: a short passage with the words looked for in <mark>.

Matches are found in the original text with one regular expression per
query, built from the normalized terms: each character becomes the class of
every character that folds to it (any case, with or without accents, any
alef form); Arabic letters may be followed by the diacritics and tatweel that
normalization removes. This runs at the regex
engine's speed instead of normalizing the text word by word.
"""

import re
import unicodedata
from functools import lru_cache
from html import escape

from .query import ParsedQuery
from .text import HAN_RUN, normalize

WIDTH = 240  # characters shown
LEAD = 60  # characters shown before the first match
# Characters of the body searched for a passage: snippets stay cheap.
BODY_CHARS = 8_000
_ARABIC_MARKS = "[\u0610-\u061a\u064b-\u065f\u0670\u0640]*"


@lru_cache(maxsize=1)
def _variants() -> dict[str, frozenset[str]]:
    """Folded character → the characters that fold to it, in any case."""
    out: dict[str, set[str]] = {}
    ranges = ((0x41, 0x5B), (0x61, 0x7B), (0xC0, 0x250), (0x370, 0x500))
    for start, end in (*ranges, (0x620, 0x6D4), (0x1E00, 0x1F00), (0x2100, 0x2150)):
        for code in range(start, end):
            char = chr(code)
            if not unicodedata.category(char).startswith("L"):
                continue
            folded = normalize(char)
            if len(folded) == 1:
                out.setdefault(folded, {folded}).add(char)
    return {folded: frozenset(chars) for folded, chars in out.items()}


def _chars(char: str) -> str:
    """The characters that fold to `char`, escaped for a character class."""
    return "".join(re.escape(c) for c in sorted(_variants().get(char, {char})))


def _after(char: str) -> str:
    """What may follow a letter in the original: Arabic diacritics, tatweel."""
    return _ARABIC_MARKS if "\u0600" <= char <= "\u06ff" else ""


@lru_cache(maxsize=4096)
def _branch(term: str) -> str:
    """The pattern of one term after its first character (see `_compiled`)."""
    if HAN_RUN.fullmatch(term):
        return f"(?<={re.escape(term[0])})" + re.escape(term[1:])
    rest = "".join(f"[{_chars(c)}]{_after(c)}" for c in term[1:])
    # The first character is behind us: it must be one of the term's, and
    # the character before it no word character.
    return rf"(?<=[{_chars(term[0])}])(?<!\w.){_after(term[0])}{rest}(?!\w)"


def snippet_patterns(query: ParsedQuery) -> tuple[re.Pattern, ...]:
    """The patterns of a query's terms, longest first (one set per search)."""
    terms: set[str] = set()
    for group in query.must:
        for phrase in group:
            terms.update(HAN_RUN.findall(phrase.text))
            terms.update(t for t in phrase.tokens if not HAN_RUN.fullmatch(t))
    return tuple(_compiled(t) for t in sorted(terms, key=lambda t: (-len(t), t)))


@lru_cache(maxsize=4096)
def _compiled(term: str) -> re.Pattern:
    """The pattern of one term, in any case, with or without accents.

    It starts with the class of the term's possible first characters, so
    that the regular expression engine skips through the text at C speed to
    the candidates (a pattern starting with a look-behind, or compiled to
    ignore case, gets no such prefix scan and tries every position). One
    pattern per term rather than per query: terms recur across queries, and
    compiling the large character classes is what costs.
    """
    return re.compile(f"[{_chars(term[0])}]{_branch(term)}")


def _matches(patterns: tuple[re.Pattern, ...], text: str) -> list[re.Match]:
    """Every term's matches, leftmost first, the longest where they overlap."""
    if len(patterns) == 1:
        return list(patterns[0].finditer(text))
    found = sorted(
        (m for pattern in patterns for m in pattern.finditer(text)),
        key=lambda m: (m.start(), -m.end()),
    )
    out, at = [], 0
    for m in found:
        if m.start() >= at:
            out.append(m)
            at = m.end()
    return out


def _cut(text: str, start: int, end: int) -> tuple[int, int]:
    """Move the window's ends to spaces where the script has them."""
    if start > 0:
        space = text.find(" ", start, start + 30)
        start = space + 1 if space >= 0 else start
    if end < len(text):
        space = text.rfind(" ", end - 30, end)
        end = space if space > start else end
    return start, end


def _render(text: str, start: int, end: int, matches: list[re.Match]) -> str:
    parts, at = [], start
    for m in matches:
        if m.start() < at or m.end() > end:
            continue
        parts.append(escape(text[at : m.start()]))
        parts.append(f"<mark>{escape(m.group())}</mark>")
        at = m.end()
    parts.append(escape(text[at:end]))
    html = "".join(parts).strip()
    if start > 0:
        html = "… " + html
    if end < len(text):
        html += " …"
    return html


def make_snippet(texts: tuple[str, str, str], patterns: tuple[re.Pattern, ...]) -> str:
    """The best passage of the summary or body, escaped, matches in <mark>.

    `patterns` are the query's `snippet_patterns`, gathered once per search.
    """
    _title, summary, body = texts
    candidates = [t for t in (summary or "", (body or "")[:BODY_CHARS]) if t.strip()]
    if not candidates:
        return ""
    for text in candidates if patterns else []:
        matches = _matches(patterns, text)
        if not matches:
            continue
        keys = [m.group().casefold() for m in matches[:100]]
        best, best_terms = matches[0].start(), 0
        for i, m in enumerate(matches[:100]):
            window, j = set(), i
            while j < len(keys) and matches[j].start() < m.start() + WIDTH - LEAD:
                window.add(keys[j])
                j += 1
            if len(window) > best_terms:
                best, best_terms = m.start(), len(window)
        start, end = _cut(text, max(0, best - LEAD), max(0, best - LEAD) + WIDTH)
        return _render(text, start, end, matches)
    text = candidates[0]
    start, end = _cut(text, 0, WIDTH)
    return _render(text, start, end, [])
