"""Pages of the consultations: reading is public, taking part needs a verified
account, moderating needs the moderator's permission."""

import functools

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clearinghouse.core.accounts import is_verified
from clearinghouse.core.ratelimit import over_limit, too_many_requests
from clearinghouse.core.responses import bad_request, download, exporter_or_error

from . import selectors, services
from .exports import synthesis_table
from .forms import ChoiceForm, ContributionForm, ModerationForm, ReportForm, VoteForm
from .models import Contribution, ContributionKind, QuestionKind, Status
from .rendering import synthesis_view


def _consultation_or_404(slug: str):
    consultation = selectors.consultation_get(slug)
    if consultation is None:
        raise Http404(_("No such consultation."))
    return consultation


def _taking_part(scope: str):
    """POST only; signed in and verified; within the rate limits."""

    def decorate(view):
        @functools.wraps(view)
        @require_POST
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect(f"{reverse('accounts:login')}?next={request.path}")
            if not is_verified(request.user):
                return bad_request(
                    request,
                    [_("Taking part needs an account with a verified e-mail address.")],
                    status=403,
                )
            if over_limit(request, scope):
                return too_many_requests(request)
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied as error:
                return bad_request(request, [str(error)], status=403)

        return wrapper

    return decorate


def _errors(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


@require_GET
def consultation_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "consultations/list.html",
        {
            "consultations": selectors.consultation_list(),
            "removals": selectors.removals_by_reason(),
        },
    )


@require_GET
def consultation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation_or_404(slug)
    questions = []
    for question in consultation.questions.all():
        questions.append(
            {
                "question": question,
                "contributions": selectors.published_contributions(question),
                "form": ContributionForm(
                    statement=question.kind == QuestionKind.STATEMENTS
                ),
                "choice_form": (
                    ChoiceForm(question=question)
                    if question.kind == QuestionKind.CHOICE
                    else None
                ),
            }
        )
    return render(
        request,
        "consultations/detail.html",
        {
            "consultation": consultation,
            "questions": questions,
            "may_take_part": is_verified(request.user),
            "is_open": consultation.is_open(),
            "my_votes": selectors.votes_of(request.user, consultation),
            "vote_choices": VoteForm.base_fields["value"].choices,
            "reply_form": ContributionForm(),
        },
    )


def _contribute(request, consultation, question, kind, parent=None) -> HttpResponse:
    form = ContributionForm(request.POST, statement=kind == ContributionKind.STATEMENT)
    if form.is_valid():
        try:
            contribution = services.contribution_submit(
                question=question,
                author=request.user,
                body=form.cleaned_data["body"],
                kind=kind,
                parent=parent,
                fill_seconds=form.fill_seconds,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if contribution.status == Status.PUBLISHED:
                messages.success(
                    request, _("Thank you: your contribution is published.")
                )
            else:
                messages.info(
                    request,
                    _(
                        "Thank you: your contribution will be shown once a moderator "
                        "has read it."
                    ),
                )
            return redirect(consultation.get_absolute_url() + f"#q-{question.pk}")
    return render(
        request,
        "consultations/contribute.html",
        {
            "consultation": consultation,
            "question": question,
            "form": form,
            "action": request.path,
        },
        status=400,
    )


@_taking_part("contribute")
def contribute(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    consultation = _consultation_or_404(slug)
    question = get_object_or_404(consultation.questions, pk=question_id)
    kinds = {
        QuestionKind.OPEN: ContributionKind.ANSWER,
        QuestionKind.STATEMENTS: ContributionKind.STATEMENT,
    }
    if question.kind not in kinds:
        return bad_request(request, [_("This question takes a choice, not a text.")])
    return _contribute(request, consultation, question, kinds[question.kind])


@_taking_part("contribute")
def reply(request: HttpRequest, slug: str, contribution_id: int) -> HttpResponse:
    consultation = _consultation_or_404(slug)
    parent = get_object_or_404(
        Contribution.objects.published().select_related("question"),
        pk=contribution_id,
        question__consultation=consultation,
        kind__in=[ContributionKind.ANSWER, ContributionKind.COMMENT],
    )
    kind = (
        ContributionKind.COMMENT
        if parent.kind == ContributionKind.ANSWER
        else ContributionKind.REPLY
    )
    return _contribute(request, consultation, parent.question, kind, parent)


@_taking_part("vote")
def vote(request: HttpRequest, slug: str, statement_id: int) -> HttpResponse:
    consultation = _consultation_or_404(slug)
    statement = get_object_or_404(
        Contribution.objects.select_related("question__consultation"),
        pk=statement_id,
        question__consultation=consultation,
        kind=ContributionKind.STATEMENT,
    )
    form = VoteForm(request.POST)
    if not form.is_valid():
        return bad_request(request, [_("Vote agree, disagree or pass.")])
    try:
        services.vote_cast(
            statement=statement,
            participant=request.user,
            value=form.cleaned_data["value"],
        )
    except ValidationError as error:
        return bad_request(request, _errors(error))
    return redirect(consultation.get_absolute_url() + f"#s-{statement.pk}")


@_taking_part("vote")
def choose(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    consultation = _consultation_or_404(slug)
    question = get_object_or_404(
        consultation.questions, pk=question_id, kind=QuestionKind.CHOICE
    )
    form = ChoiceForm(request.POST, question=question)
    if not form.is_valid():
        return bad_request(request, [_("Choose one of the options offered.")])
    try:
        services.choice_set(
            question=question,
            participant=request.user,
            option=form.cleaned_data["option"],
        )
    except ValidationError as error:
        return bad_request(request, _errors(error))
    messages.success(request, _("Your choice is recorded."))
    return redirect(consultation.get_absolute_url() + f"#q-{question.pk}")


@require_POST
def report(request: HttpRequest, slug: str, contribution_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    if over_limit(request, "report"):
        return too_many_requests(request)
    consultation = _consultation_or_404(slug)
    contribution = get_object_or_404(
        Contribution, pk=contribution_id, question__consultation=consultation
    )
    form = ReportForm(request.POST)
    if not form.is_valid():
        return bad_request(request, [_("The reason is too long.")])
    try:
        services.contribution_report(
            contribution=contribution,
            reporter=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        return bad_request(request, _errors(error))
    messages.success(request, _("Thank you: the moderators will look at it."))
    return redirect(consultation.get_absolute_url())


def _moderator(request: HttpRequest) -> None:
    if not services.is_moderator(request.user):
        raise PermissionDenied


@require_GET
def moderation_queue(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    _moderator(request)
    return render(
        request,
        "consultations/moderation.html",
        {"queue": selectors.moderation_queue()[:200], "form": ModerationForm()},
    )


@require_POST
def moderate(request: HttpRequest, contribution_id: int) -> HttpResponse:
    _moderator(request)
    contribution = get_object_or_404(Contribution, pk=contribution_id)
    form = ModerationForm(request.POST)
    if form.is_valid():
        try:
            services.contribution_moderate(
                contribution=contribution,
                moderator=request.user,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("consultations:moderation")
    return render(
        request,
        "consultations/moderation.html",
        {"queue": [contribution], "form": form, "failed": contribution.pk},
        status=400,
    )


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    return render(
        request,
        "consultations/mine.html",
        {"contributions": selectors.own_contributions(request.user)[:500]},
    )


@require_GET
def synthesis(request: HttpRequest, slug: str) -> HttpResponse:
    """The stored synthesis; its rendering is cached per data version and language.

    A cached page costs one query (the stamp) and no rendering.
    """
    stamp = selectors.synthesis_stamp(slug)
    if stamp is None:
        raise Http404(_("No such consultation."))
    key = f"consultations:synthesis:{stamp}:{get_language()}"
    body = cache.get(key) if stamp else None
    if body is None:
        consultation = _consultation_or_404(slug)
        body = render_to_string(
            "consultations/synthesis.html",
            {"consultation": consultation, "view": synthesis_view(consultation)},
            request=request,
        )
        if stamp:
            cache.set(key, body, 3600)
    return HttpResponse(body)


@require_GET
def synthesis_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    consultation = _consultation_or_404(slug)
    exporter, error = exporter_or_error(request, fmt)
    if error:
        return error
    stored = selectors.synthesis_of(consultation)
    if stored is None:
        return bad_request(
            request,
            [_("The synthesis is being computed. Try again in a minute.")],
            status=503,
        )
    columns, rows = synthesis_table(consultation, stored.data)
    return download(
        exporter.render(columns=columns, rows=rows),
        exporter=exporter,
        name=f"{consultation.slug}-synthesis",
    )
