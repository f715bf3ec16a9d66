"""Embedding, suggestions, curators' decisions and thresholds (real encoder)."""

import pytest
from django.core.exceptions import ValidationError

from clearinghouse.library.models import DocumentIssue
from clearinghouse.semantic import encoder, selectors, services
from clearinghouse.semantic.calibration import NEVER
from clearinghouse.semantic.models import (
    DocumentVector,
    IssueSuggestion,
    IssueThreshold,
    IssueVector,
    SuggestionStatus,
)
from clearinghouse.semantic.vectors import from_blob
from clearinghouse.taxonomy.models import Issue


def test_documents_are_embedded_once_until_their_text_changes(documents):
    doc = documents["spam-en"]
    first = services.documents_embed(document_ids=[doc.pk], suggest=False)
    assert (first.embedded, first.unchanged) == (1, 0)
    stored = DocumentVector.objects.get(document=doc)
    assert stored.model == encoder.model_name()
    assert len(bytes(stored.vector)) == 1024
    again = services.documents_embed(document_ids=[doc.pk], suggest=False)
    assert (again.embedded, again.unchanged) == (0, 1)
    doc.summary = "A different summary about root servers."
    doc.save()
    assert services.documents_embed(document_ids=[doc.pk], suggest=False).embedded == 1


def test_issues_are_embedded_from_their_labels_in_six_languages(embedded):
    assert IssueVector.objects.count() == Issue.objects.count()
    spam = Issue.objects.get(slug="spam")
    texts = services.issue_text(spam)
    assert "Spam" in texts and "pourriel" in texts and "垃圾电子邮件" in texts
    vector = from_blob(IssueVector.objects.get(issue=spam).vector)
    assert abs(float(vector @ vector) - 1.0) < 0.01
    assert services.issues_embed().embedded == 0


def test_a_document_gets_its_issue_applied_above_the_threshold(embedded, settings):
    settings.SEMANTIC_DEFAULT_THRESHOLD = 0.3
    doc = embedded["spam-fr"]
    services.suggestions_make(document_ids=[doc.pk])
    best = IssueSuggestion.objects.filter(document=doc).order_by("-score").first()
    assert best.issue.slug == "spam"
    assert best.status == SuggestionStatus.APPLIED
    tag = DocumentIssue.objects.get(document=doc, issue__slug="spam")
    assert tag.confirmed is False
    assert tag.score == pytest.approx(best.score)


def test_below_the_threshold_issues_are_only_offered(embedded, settings):
    settings.SEMANTIC_DEFAULT_THRESHOLD = 0.99
    doc = embedded["privacy-ru"]
    services.suggestions_make(document_ids=[doc.pk])
    statuses = set(
        IssueSuggestion.objects.filter(document=doc).values_list("status", flat=True)
    )
    assert statuses == {SuggestionStatus.OFFERED}
    assert not DocumentIssue.objects.filter(document=doc).exists()


def test_a_curator_confirms_or_rejects_and_the_tags_follow(
    embedded, settings, secretariat, django_capture_on_commit_callbacks
):
    settings.SEMANTIC_DEFAULT_THRESHOLD = 0.3
    doc = embedded["ipv6-zh"]
    services.suggestions_make(document_ids=[doc.pk, embedded["spam-en"].pk])
    right = IssueSuggestion.objects.filter(document=doc).order_by("-score")[0]
    assert right.issue.slug == "ipv6-deployment"
    wrong = IssueSuggestion.objects.create(
        document=doc,
        issue=Issue.objects.get(slug="brain-drain"),
        score=0.2,
        threshold=0.3,
        status=SuggestionStatus.OFFERED,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.suggestion_decide(suggestion=right, accepted=True, by=secretariat)
        services.suggestion_decide(suggestion=wrong, accepted=False, by=secretariat)
    assert DocumentIssue.objects.get(document=doc, issue=right.issue).confirmed
    assert not DocumentIssue.objects.filter(document=doc, issue=wrong.issue).exists()
    right.refresh_from_db()
    assert right.decided_by == secretariat and right.decided_at is not None
    with pytest.raises(ValidationError):
        services.suggestion_decide(suggestion=right, accepted=False, by=secretariat)
    # The decisions were calibrated when they were committed.
    assert IssueThreshold.objects.count() == Issue.objects.count()
    # A decided suggestion is not changed by a new round of suggestions.
    services.suggestions_make(document_ids=[doc.pk])
    right.refresh_from_db()
    assert right.status == SuggestionStatus.CONFIRMED


def test_thresholds_learn_from_decisions_made_in_the_library_too(embedded, settings):
    settings.SEMANTIC_DEFAULT_THRESHOLD = 0.3
    ids = [d.pk for d in embedded.values()]
    services.suggestions_make(document_ids=ids)
    # A curator removes in the library every automatic tag on one issue.
    wrong = Issue.objects.get(slug="ipv6-deployment")
    DocumentIssue.objects.filter(issue=wrong, confirmed=False).delete()
    decisions = selectors.decisions()
    assert any(d.issue_id == wrong.pk and not d.accepted for d in decisions)
    services.thresholds_calibrate()
    assert IssueThreshold.objects.get(issue=wrong).threshold == NEVER


def test_more_like_this_crosses_languages(embedded):
    found = selectors.more_like_this(embedded["privacy-es"], k=2)
    assert found[0][0] == embedded["privacy-ru"]
    assert embedded["privacy-es"] not in [doc for doc, _score in found]


def test_a_withdrawn_document_is_not_offered_as_similar(embedded):
    other = embedded["spam-fr"]
    other.status = "draft"
    other.save()
    found = [doc for doc, _ in selectors.more_like_this(embedded["spam-en"], k=5)]
    assert other not in found
