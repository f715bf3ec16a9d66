"""Pages of the governance filters: the consensus map, an issue's map and its
assessments, an assessment, the form to assess, the questions and rules with
their versions, the secretariat's edits, and the exports."""

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from clearinghouse.core.accounts import is_secretariat, is_verified
from clearinghouse.core.responses import bad_request, download, exporter_or_error
from clearinghouse.taxonomy.models import Issue

from . import rendering, selectors, services
from .exports import (
    ASSESSMENT_COLUMNS,
    CONSENSUS_COLUMNS,
    assessment_rows,
    consensus_rows,
)
from .forms import AssessmentForm, QuestionEditForm, RuleEditForm
from .models import Answer, Outcome


def _issue(slug: str) -> Issue:
    issue = Issue.objects.select_related("area").filter(slug=slug).first()
    if issue is None:
        raise Http404(_("There is no issue with this name."))
    return issue


def _version_or_404():
    version = selectors.current_version()
    if version is None:
        raise Http404(_("The filter questions have not been set up yet."))
    return version


def _outcome_rows(subject) -> list[tuple]:
    """(value, label, count, share) of every outcome and of “no outcome”."""
    return [
        (value, label, subject.outcomes.get(value, 0), subject.share(value))
        for value, label in [*Outcome.choices, ("", _("No outcome"))]
    ]


@require_safe
def consensus_page(request: HttpRequest) -> HttpResponse:
    """The consensus map across issues, the outcomes chart and the ranked issues.

    The map's part of the page is the same for every reader of a language, so
    it is cached as HTML per data version and language (never stale: the
    fingerprint is read on every request).
    """
    key = f"filters-map-html:{selectors.filters_version()}:{get_language()}"
    body = cache.get(key)
    if body is None:
        consensus = selectors.consensus_map()
        body = render_to_string(
            "filters/_map_body.html",
            {
                "consensus": consensus,
                "chart": rendering.outcome_chart(
                    ident="outcomes", subject=consensus, total=consensus.assessments
                ),
                "outcomes": _outcome_rows(consensus),
            },
        )
        cache.set(key, body, selectors.CONSENSUS_CACHE_SECONDS)
    return render(
        request,
        "filters/map.html",
        # Our own template rendered it, escaping every value.
        {"body": mark_safe(body)},  # noqa: S308
    )


@require_safe
def issue_page(request: HttpRequest, slug: str) -> HttpResponse:
    """One issue's consensus map and its assessments."""
    issue = _issue(slug)
    consensus = selectors.consensus_map(issue_ids=[issue.pk]).issue(issue.pk)
    context = {
        "issue": issue,
        "consensus": consensus,
        "answers": Answer.choices,
        "assessments": selectors.issue_assessments(issue),
        "facts": selectors.matrix_facts(issue),
        "can_assess": is_verified(request.user),
    }
    if consensus is not None:
        context["outcome_chart"] = rendering.outcome_chart(
            ident="outcomes", subject=consensus, total=consensus.assessments
        )
        context["agreement_chart"] = rendering.agreement_chart(
            ident="agreement", issue=consensus
        )
        context["outcomes"] = _outcome_rows(consensus)
    return render(request, "filters/issue.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def assess(request: HttpRequest, slug: str) -> HttpResponse:
    """The form to put an issue through the filters (verified participants)."""
    issue = _issue(slug)
    if not is_verified(request.user):
        return bad_request(
            request,
            [_("Sign in with a verified e-mail address to assess an issue.")],
            status=403,
        )
    version = _version_or_404()
    questions = selectors.version_questions(version)
    facts = selectors.matrix_facts(issue)
    secretariat = is_secretariat(request.user)
    profile = getattr(request.user, "profile", None)
    kwargs = {
        "questions": questions,
        "prefill": selectors.prefill_from_matrix(facts),
        "secretariat": secretariat,
    }
    status = 200
    if request.method == "POST":
        form = AssessmentForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                assessment = services.assessment_create(
                    issue=issue,
                    by=request.user,
                    stakeholder_group=form.cleaned_data.get("stakeholder_group") or "",
                    answers=form.answers(),
                    on_behalf_of=form.cleaned_data.get("on_behalf_of") or "",
                    event=form.cleaned_data.get("event"),
                    version=version,
                )
            except PermissionDenied as error:
                return bad_request(request, [str(error)], status=403)
            except ValidationError as error:
                form.add_service_errors(
                    error.message_dict
                    if hasattr(error, "error_dict")
                    else {"": error.messages}
                )
            else:
                return HttpResponseRedirect(
                    reverse("filters:assessment", kwargs={"pk": assessment.pk})
                )
        status = 400
    else:
        initial = {"stakeholder_group": getattr(profile, "stakeholder_group", "")}
        form = AssessmentForm(initial=initial, **kwargs)
    return render(
        request,
        "filters/assess.html",
        {
            "issue": issue,
            "form": form,
            "version": version,
            "facts": facts,
            "errors": form.error_messages() if form.is_bound else [],
        },
        status=status,
    )


@require_safe
def assessment_page(request: HttpRequest, pk: int) -> HttpResponse:
    """An assessment as it was made: its version's questions, the answers, the
    outcome and the answers that led there."""
    assessment = selectors.assessment_detail(pk)
    if assessment is None:
        raise Http404(_("There is no such assessment."))
    questions = selectors.version_questions(assessment.version)
    answers = {a.key: a for a in assessment.answers.all()}
    return render(
        request,
        "filters/assessment.html",
        {
            "assessment": assessment,
            "rows": [(q, answers.get(q.key)) for q in questions],
            "verdict": selectors.verdict_of(assessment, questions),
            "author": selectors.author_name(assessment),
            "group": selectors.group_label(assessment.stakeholder_group),
            "newer": selectors.current_version() != assessment.version,
        },
    )


@require_safe
def questions_page(request: HttpRequest) -> HttpResponse:
    """The questions and rules of a version (the current one by default)."""
    raw = request.GET.get("version", "")
    if raw:
        if not raw.isdigit() or len(raw) > 9:
            return bad_request(
                request, [_("The version must be a whole number, for example 1.")]
            )
        version = selectors.version_by_number(int(raw))
        if version is None:
            raise Http404(_("There is no version %(number)s.") % {"number": raw})
    else:
        version = _version_or_404()
    questions = selectors.version_questions(version)
    labels = {q.key: q for q in questions}
    answer_labels = dict(Answer.choices)
    rules = [
        (
            rule,
            [
                (
                    labels.get(key),
                    [answer_labels[v] for v in values if v in answer_labels],
                )
                for key, values in sorted(
                    rule.conditions.items(),
                    key=lambda item: labels[item[0]].order if item[0] in labels else 0,
                )
            ],
        )
        for rule in selectors.version_rules(version)
    ]
    return render(
        request,
        "filters/questions.html",
        {
            "version": version,
            "questions": questions,
            "rules": rules,
            "versions": selectors.versions(),
            "is_current": version == selectors.current_version(),
            "can_edit": is_secretariat(request.user),
        },
    )


def _edit(request, *, template: str, form, apply, title: str) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            version = apply(form)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            return HttpResponseRedirect(
                f"{reverse('filters:questions')}?version={version.number}"
            )
    return render(
        request,
        template,
        {
            "form": form,
            "title": title,
            "errors": form.error_messages() if form.is_bound else [],
        },
        status=400 if form.is_bound else 200,
    )


def _require_secretariat(request) -> HttpResponse | None:
    if not is_secretariat(request.user):
        return bad_request(
            request, [_("Only the secretariat may change the filters.")], status=403
        )
    return None


@require_http_methods(["GET", "HEAD", "POST"])
def question_edit(request: HttpRequest, key: str) -> HttpResponse:
    """The secretariat rewords a question: a new version is written."""
    refused = _require_secretariat(request)
    if refused:
        return refused
    version = _version_or_404()
    question = version.questions.filter(key=key).first()
    if question is None:
        raise Http404(_("There is no such question."))
    data = request.POST if request.method == "POST" else None
    form = QuestionEditForm(data, question=question)
    return _edit(
        request,
        template="filters/edit.html",
        form=form,
        title=_("Change question %(order)s") % {"order": question.order},
        apply=lambda f: services.filter_version_revise(
            by=request.user,
            note=f.cleaned_data["note"],
            questions={key: f.changes()},
        ),
    )


@require_http_methods(["GET", "HEAD", "POST"])
def rule_edit(request: HttpRequest, key: str) -> HttpResponse:
    """The secretariat changes a rule: a new version is written."""
    refused = _require_secretariat(request)
    if refused:
        return refused
    version = _version_or_404()
    rule = version.rules.filter(key=key).first()
    if rule is None:
        raise Http404(_("There is no such rule."))
    data = request.POST if request.method == "POST" else None
    form = RuleEditForm(data, rule=rule, questions=selectors.version_questions(version))
    return _edit(
        request,
        template="filters/edit.html",
        form=form,
        title=_("Change the rule “%(key)s”") % {"key": rule.key},
        apply=lambda f: services.filter_version_revise(
            by=request.user, note=f.cleaned_data["note"], rules={key: f.changes()}
        ),
    )


EXPORTS = {
    "assessments": (ASSESSMENT_COLUMNS, lambda: assessment_rows()),
    "consensus": (
        CONSENSUS_COLUMNS,
        lambda: consensus_rows(selectors.consensus_map_cached()),
    ),
}


@require_safe
def export(request: HttpRequest, what: str, fmt: str) -> HttpResponse:
    """Assessments (one row per answer) or the consensus map, as CSV, XLSX or JSON."""
    if what not in EXPORTS:
        raise Http404(_("There is no such export."))
    exporter, error = exporter_or_error(request, fmt)
    if error:
        return error
    columns, rows = EXPORTS[what]
    body = exporter.render(columns=columns, rows=rows())
    return download(body, exporter=exporter, name=f"filters-{what}")
