"""Thesaurus expansion: a query naming an issue, in any language, finds its documents.

Labels (the issue's name in six languages) and synonyms are folded (case,
accents, Arabic letter forms) into words; two words are forms of one word
when they differ only in their last few letters (a language-independent
light stemmer) so that "signature" meets "signatures" and "данных" meets
"данные", but "internet" does not meet "interpretation".
An issue matches when all the stems of one of its labels occur in the
query, or when the query's stems all occur in one label and name few issues
(so "servers" alone does not pull in every issue with the word). Chinese is
written without spaces: there, a label matches as a substring of the query
and the query as a substring of a label.
"""

import os
import re
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Count, Max

from clearinghouse.core.languages import LANGUAGE_CODES, field_suffix
from clearinghouse.library.text import fold
from clearinghouse.taxonomy.models import Issue, Synonym

STEM = 5
ENDING = 3
# A query contained in labels of more issues than this is too general to expand.
MAX_ISSUES_FOR_PARTIAL = 2
_WORD = re.compile(r"\w+")
# Function words of the six languages that would otherwise match labels.
_STOP = frozenset(
    " ".join(
        (
            "a an and of the for in on to or by with its as at from into",
            "de des du la le les et en un une pour par sur au aux dans ou",
            "el los las del y con por para una uno al o",
            "и в во на с по для от к о об из или не",
            "في من على الى عن مع او و ال",
        )
    ).split(" ")
)
_ARTICLE = re.compile(r"^(?:وال|بال|لل|ال)(?=\w{3})")


def same_word(a: str, b: str) -> bool:
    """Two folded words are forms of one word: they share all but their last
    letters (at most `ENDING` each), and at least `STEM` letters."""
    if a == b:
        return True
    shared = len(os.path.commonprefix([a, b]))
    if shared == min(len(a), len(b)) >= 4 and max(len(a), len(b)) - shared <= ENDING:
        return True
    return shared >= STEM and len(a) - shared <= ENDING and len(b) - shared <= ENDING


def _covers(words: frozenset[str], wanted: frozenset[str]) -> bool:
    """Every wanted word has a form among words."""
    return all(any(same_word(w, x) for x in words) for w in wanted)


def _has_han(text: str) -> bool:
    return any("\u3400" <= char <= "\u9fff" for char in text)


def stems(text: str) -> frozenset[str]:
    """The folded words of a text, without function words or Arabic articles."""
    out = set()
    for word in _WORD.findall(fold(text)):
        if word in _STOP:
            continue
        out.add(_ARTICLE.sub("", word))
    return frozenset(out)


def _keys(words: frozenset[str]) -> frozenset[str]:
    """The first letters that two forms of one word always share (see
    `same_word`): a word can only meet a word with the same key."""
    return frozenset(word[:4] for word in words)


@dataclass(frozen=True)
class _Label:
    issue_id: int
    stems: frozenset[str]
    han: str  # the folded label when written in Chinese, else ""
    keys: frozenset[str] = frozenset()


@lru_cache(maxsize=4)
def _labels(_version: tuple) -> tuple[_Label, ...]:
    names = [f"name_{field_suffix(code)}" for code in LANGUAGE_CODES]
    texts: list[tuple[int, str]] = []
    for row in Issue.objects.values("pk", "name", *names):
        texts += [(row["pk"], row[f]) for f in ("name", *names) if row[f]]
    texts += list(Synonym.objects.values_list("issue_id", "label"))
    labels = set()
    for issue_id, text in texts:
        # "Domain names and IP addresses (technical coordination)": the
        # words in brackets qualify the label and are not needed to match it.
        text = re.sub(r"[(（].*?[)）]", " ", text)
        if _has_han(text):
            labels.add(_Label(issue_id, frozenset(), fold(text).strip()))
        elif label_stems := stems(text):
            labels.add(_Label(issue_id, label_stems, "", _keys(label_stems)))
    return tuple(
        sorted(labels, key=lambda label: (label.issue_id, sorted(label.stems)))
    )


def _version() -> tuple:
    issues = Issue.objects.aggregate(n=Count("pk"), at=Max("updated_at"))
    synonyms = Synonym.objects.aggregate(n=Count("pk"), m=Max("pk"))
    return (issues["n"], issues["at"], synonyms["n"], synonyms["m"])


def matching_issue_ids(query: str) -> list[int]:
    """Issues the query names by a label or synonym, in any of the six languages."""
    query = (query or "").strip()
    if not query:
        return []
    return list(_matching(_version(), query))


@lru_cache(maxsize=1024)
def _matching(version: tuple, query: str) -> tuple[int, ...]:
    labels = _labels(version)
    folded = fold(query)
    query_words = stems(query)
    query_keys = _keys(query_words)
    whole: set[int] = set()
    partial: set[int] = set()
    for label in labels:
        if label.han:
            if label.han in folded:
                whole.add(label.issue_id)
            elif len(folded) >= 2 and _has_han(folded) and folded in label.han:
                partial.add(label.issue_id)
        # Keys first: most labels share no word with the query.
        elif label.keys <= query_keys and _covers(query_words, label.stems):
            whole.add(label.issue_id)
        elif (
            query_words
            and query_keys <= label.keys
            and _covers(label.stems, query_words)
        ):
            partial.add(label.issue_id)
    if len(partial - whole) <= MAX_ISSUES_FOR_PARTIAL:
        whole |= partial
    return tuple(sorted(whole))
