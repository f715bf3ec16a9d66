"""Charts of the consensus map, drawn on the server as SVG with the events
app's bar chart (events/_chart.html), each with a table beside it."""

from django.utils.translation import gettext as _

from clearinghouse.events.participation import Bar, Chart, chart_layout, number

from .models import Outcome
from .selectors import ConsensusMap, IssueConsensus


def _percent(share: float) -> str:
    return _("%(value)s %%") % {"value": number(round(share * 100, 1))}


def outcome_chart(
    *, ident: str, subject: ConsensusMap | IssueConsensus, total: int
) -> Chart:
    """The share of assessments reaching each outcome, one bar per outcome."""
    bars = [
        Bar(
            label=str(label),
            text=f"{_percent(subject.share(value))} ({subject.outcomes.get(value, 0)})",
            share=subject.share(value) * 100,
        )
        for value, label in [*Outcome.choices, ("", _("No outcome"))]
    ]
    return chart_layout(
        Chart(
            ident=ident,
            title=_("Outcomes reached"),
            description=_(
                "Share of %(count)s current assessments reaching each outcome."
            )
            % {"count": total},
            bars=bars,
        )
    )


def agreement_chart(*, ident: str, issue: IssueConsensus) -> Chart:
    """Agreement between stakeholder groups on each question of one issue."""
    bars = [
        Bar(
            label=f"{question.order}. {question.text}",
            text=(
                f"{_percent(question.agreement)} — {question.status_label}"
                if question.agreement is not None
                else str(question.status_label)
            ),
            share=(question.agreement or 0.0) * 100,
        )
        for question in issue.questions
    ]
    return chart_layout(
        Chart(
            ident=ident,
            title=_("Agreement between stakeholder groups"),
            description=_(
                "For each question: 100 when all groups stand at the same "
                "position, 0 when one group answers yes and another no."
            ),
            bars=bars,
        )
    )
