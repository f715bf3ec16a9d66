"""API router of the consultations: consultations, questions, published
contributions and synthesis figures. Never private data: no e-mail address,
and an author's name only where they consented to show it."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from clearinghouse.api.errors import not_found

from . import selectors
from .models import Consultation, Contribution, ContributionKind, Question

router = Router(tags=["consultations"])


class ConsultationDocumentOut(Schema):
    title: str
    url: str


class OptionOut(Schema):
    id: int
    text: str


class ConsultationQuestionOut(Schema):
    id: int
    kind: str
    text: str
    options: list[OptionOut]


class ConsultationOut(Schema):
    slug: str
    title: str
    background: str
    opens_at: datetime
    closes_at: datetime
    working_languages: list[str]
    issue: str | None
    institution: str | None
    milestone: str | None
    proposal: str | None
    outcome: str
    url: str


class ConsultationDetailOut(ConsultationOut):
    documents: list[ConsultationDocumentOut]
    questions: list[ConsultationQuestionOut]


class ContributionOut(Schema):
    id: int
    question: int
    kind: str
    parent: int | None
    text: str
    language: str
    author: str
    created_at: datetime
    agree: int | None = None
    disagree: int | None = None


def _consultation(c: Consultation) -> dict:
    return {
        "slug": c.slug,
        "title": c.title,
        "background": c.background,
        "opens_at": c.opens_at,
        "closes_at": c.closes_at,
        "working_languages": c.working_languages,
        "issue": c.issue.slug if c.issue else None,
        "institution": c.institution.slug if c.institution else None,
        "milestone": c.milestone.slug if c.milestone else None,
        "proposal": c.proposal.slug if c.proposal else None,
        "outcome": c.outcome,
        "url": c.get_absolute_url(),
    }


def _get(slug: str) -> Consultation:
    consultation = selectors.consultation_get(slug)
    if consultation is None:
        raise not_found("consultation", slug)
    return consultation


@router.get("/consultations", response=list[ConsultationOut])
def consultations(request):
    """Published consultations, newest first."""
    return [_consultation(c) for c in selectors.consultation_list()]


@router.get("/consultations/{slug}", response=ConsultationDetailOut)
def consultation(request, slug: str):
    """A consultation with its documents and questions."""
    c = _get(slug)
    return {
        **_consultation(c),
        "documents": [{"title": d.title, "url": d.url} for d in c.documents.all()],
        "questions": [_question(q) for q in c.questions.all()],
    }


def _question(q: Question) -> dict:
    return {
        "id": q.pk,
        "kind": q.kind,
        "text": q.text,
        "options": [{"id": o.pk, "text": o.text} for o in q.options.all()],
    }


@router.get("/consultations/{slug}/questions", response=list[ConsultationQuestionOut])
def questions(request, slug: str):
    """The questions of a consultation."""
    return [_question(q) for q in _get(slug).questions.all()]


def _contribution(item: Contribution) -> dict:
    return {
        "id": item.pk,
        "question": item.question_id,
        "kind": item.kind,
        "parent": item.parent_id,
        "text": item.body,
        "language": item.language,
        "author": selectors.author_name(item),
        "created_at": item.created_at,
        "agree": getattr(item, "agree", None)
        if item.kind == ContributionKind.STATEMENT
        else None,
        "disagree": getattr(item, "disagree", None)
        if item.kind == ContributionKind.STATEMENT
        else None,
    }


@router.get(
    "/consultations/{slug}/questions/{question_id}/contributions",
    response=list[ContributionOut],
)
def contributions(request, slug: str, question_id: int):
    """Published answers or statements of a question, each followed by its thread.

    The text is the participant's plain text, as written: escape it before
    showing it as HTML.
    """
    question = get_object_or_404(_get(slug).questions, pk=question_id)
    out = []
    for item in selectors.published_contributions(question):
        out.append(_contribution(item))
        for comment in item.shown_replies:
            out.append(_contribution(comment))
            out.extend(_contribution(reply) for reply in comment.shown_replies)
    return out


@router.get("/consultations/{slug}/synthesis")
def synthesis(request, slug: str):
    """The synthesis figures as computed (codes and ids; see the page for labels)."""
    stored = selectors.synthesis_of(_get(slug))
    if stored is None:
        return {"computed_at": None, "figures": None}
    return {
        "computed_at": stored.computed_at,
        "version": stored.version,
        "figures": stored.data,
    }
