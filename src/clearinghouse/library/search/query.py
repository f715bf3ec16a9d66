"""The query language people know, parsed once for every engine.

Syntax: words (all must match), "exact phrases", -exclusions (of a word or a
phrase) and OR between two items. Everything else — brackets, `*`, `^`,
`NEAR(`, `title:` column filters, control characters, right-to-left marks —
is treated as a separator between words, never as engine syntax. The result is
a small AST (`ParsedQuery`) that each engine renders into its own query
objects; no raw user text ever reaches an engine's query parser, so no input
can cause an engine error. A query that cannot mean anything (only symbols,
only exclusions) carries a translated hint instead of clauses.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .text import normalize, query_tokens

# Bounds that keep a hostile query cheap: characters read, clauses kept.
MAX_QUERY_CHARS = 1000
MAX_CLAUSES = 12
MAX_ALTERNATIVES = 8
MAX_PHRASE_TOKENS = 24

# Control and formatting characters (NUL, bidi marks and isolates, BOM) are
# separators; so is query-language punctuation that we do not support.
_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)
_SYNTAX = re.compile(r"[()\[\]{}<>:*^~+!=,;?&|\\/]")
_LEXEME = re.compile(r'(-)?"([^"]*)"?|(\S+)')

HINT_EMPTY = _("Type one or more words to search for.")
HINT_ONLY_EXCLUSIONS = _(
    "Add a word to look for: a search cannot consist of exclusions only."
)
HINT_TRUNCATED = _("Your search was long: only its first words were used.")


@dataclass(frozen=True)
class Phrase:
    """Tokens that must appear next to each other (one token: a word)."""

    tokens: tuple[str, ...]
    text: str  # the normalized words, for highlighting


@dataclass
class ParsedQuery:
    """AND of OR-groups of phrases, minus excluded phrases."""

    must: list[list[Phrase]] = field(default_factory=list)
    must_not: list[Phrase] = field(default_factory=list)
    hint: str | None = None
    blank: bool = False  # nothing typed at all: browse everything

    @property
    def matches_nothing(self) -> bool:
        """True when the query was typed but means nothing searchable."""
        return not self.blank and not self.must

    @property
    def terms(self) -> list[str]:
        """The normalized words and phrases looked for, for highlighting."""
        seen: dict[str, None] = {}
        for group in self.must:
            for phrase in group:
                seen.setdefault(phrase.text, None)
        return list(seen)


def _phrases(text: str) -> list[Phrase]:
    """The phrases of one bare word: split at syntax characters."""
    out = []
    for part in _SYNTAX.split(text):
        toks = tuple(query_tokens(part)[:MAX_PHRASE_TOKENS])
        if toks:
            out.append(Phrase(toks, " ".join(normalize(part).split())))
    return out


def _phrase(text: str) -> Phrase | None:
    """The phrase between quotes (syntax characters only separate words)."""
    toks = tuple(query_tokens(_SYNTAX.sub(" ", text))[:MAX_PHRASE_TOKENS])
    if not toks:
        return None
    return Phrase(toks, " ".join(normalize(_SYNTAX.sub(" ", text)).split()))


def parse(raw: str) -> ParsedQuery:
    """Parse a search box's text into a `ParsedQuery` (never raises)."""
    raw = raw or ""
    truncated = len(raw) > MAX_QUERY_CHARS
    if not raw.strip():
        return ParsedQuery(blank=True)
    text = _INVISIBLE.sub(" ", raw[:MAX_QUERY_CHARS]).strip()
    query = ParsedQuery()
    pending_or = False
    saw_exclusion = False
    for match in _LEXEME.finditer(text):
        minus, quoted, bare = match.group(1), match.group(2), match.group(3)
        negated = bool(minus)
        if bare is not None:
            if bare in ("OR", "|"):
                pending_or = bool(query.must)
                continue
            if bare.startswith("-"):
                negated, bare = True, bare.lstrip("-")
            phrases = _phrases(bare)
        else:
            phrases = [p for p in [_phrase(quoted)] if p]
        if not phrases:
            continue
        if negated:
            saw_exclusion = True
            query.must_not.extend(phrases)
            pending_or = False
            continue
        for i, phrase in enumerate(phrases):
            if i == 0 and pending_or:
                group = query.must[-1]
                if len(group) < MAX_ALTERNATIVES and phrase not in group:
                    group.append(phrase)
            elif len(query.must) < MAX_CLAUSES:
                if [phrase] not in query.must:
                    query.must.append([phrase])
            else:
                truncated = True
        pending_or = False
    query.must_not = list(dict.fromkeys(query.must_not))[:MAX_CLAUSES]
    if not query.must:
        query.hint = str(HINT_ONLY_EXCLUSIONS if saw_exclusion else HINT_EMPTY)
        query.must_not = []
    elif truncated:
        query.hint = str(HINT_TRUNCATED)
    return query
