"""The filters of the road map and of the proposals: one form per list, shared by
its page, its exports, its calendar and its API twin.

Every door into a list validates its query string with these forms, so an
unknown value is refused the same way everywhere, in the visitor's language,
and the same filters select the same rows everywhere.
"""

from dataclasses import dataclass
from datetime import date

from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from clearinghouse.actors.models import Institution
from clearinghouse.core.filters import FilterForm, query_pairs
from clearinghouse.taxonomy.models import Issue

from .models import Milestone, MilestoneStatus, Proposal, ProposalStatus


def _through_filter(queryset: QuerySet, relation, column: str, values) -> QuerySet:
    """Keep rows related (by slug) to any of `values` through a many-to-many."""
    through = relation.through
    owner = relation.field.m2m_field_name()
    return queryset.filter(
        Exists(
            through.objects.filter(
                **{f"{owner}_id": OuterRef("pk"), f"{column}__slug__in": values}
            )
        )
    )


@dataclass(frozen=True)
class MilestoneFilters:
    """The cleaned road-map filters: each an empty tuple when not used."""

    issues: tuple[str, ...] = ()
    institutions: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()

    def apply(self, milestones: QuerySet) -> QuerySet:
        """Milestones on any of the issues, with any of the institutions, in any
        of the statuses (each filter only when used)."""
        if self.issues:
            milestones = _through_filter(
                milestones, Milestone.issues, "issue", self.issues
            )
        if self.institutions:
            milestones = _through_filter(
                milestones, Milestone.institutions, "institution", self.institutions
            )
        if self.statuses:
            milestones = milestones.filter(status__in=self.statuses)
        return milestones

    def as_query(self) -> list[tuple[str, str]]:
        """The filters as query-string pairs, for links that keep them."""
        return query_pairs(
            ("issue", self.issues),
            ("institution", self.institutions),
            ("status", self.statuses),
        )

    @property
    def active(self) -> bool:
        """Whether any filter is set."""
        return bool(self.as_query())


def _issue_choices() -> list[tuple[str, str]]:
    return [(issue.slug, issue.name) for issue in Issue.objects.order_by("slug")]


def _institution_choices() -> list[tuple[str, str]]:
    return [
        (institution.slug, institution.short_name)
        for institution in Institution.objects.order_by("slug")
    ]


class MilestoneFilterForm(FilterForm):
    """Query-string filters of the road map, its calendar and its API twin."""

    issue = forms.MultipleChoiceField(label=_("Issue"), required=False)
    institution = forms.MultipleChoiceField(label=_("Institution"), required=False)
    status = forms.MultipleChoiceField(
        label=_("Status"), required=False, choices=MilestoneStatus.choices
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issue"].choices = _issue_choices()
        self.fields["institution"].choices = _institution_choices()

    def filters(self) -> MilestoneFilters:
        """The cleaned filters; call after is_valid()."""
        data = self.cleaned_data
        return MilestoneFilters(
            issues=tuple(data.get("issue") or ()),
            institutions=tuple(data.get("institution") or ()),
            statuses=tuple(data.get("status") or ()),
        )


class MilestoneDateFilterForm(MilestoneFilterForm):
    """The road-map filters and the day the due and slipped lists are seen from."""

    on = forms.DateField(
        label=_("As seen on"),
        required=False,
        help_text=_("A date as YYYY-MM-DD; today when empty."),
    )

    def day(self, today: date) -> date:
        """The chosen day, or today; call after is_valid()."""
        return self.cleaned_data.get("on") or today


@dataclass(frozen=True)
class ProposalFilters:
    """The cleaned proposal filters: each an empty tuple when not used."""

    statuses: tuple[str, ...] = ()
    addressed_to: tuple[str, ...] = ()
    issues: tuple[str, ...] = ()
    sessions: tuple[str, ...] = ()

    def apply(self, proposals: QuerySet) -> QuerySet:
        """Proposals that pass every filter in use."""
        if self.statuses:
            proposals = proposals.filter(status__in=self.statuses)
        if self.addressed_to:
            proposals = _through_filter(
                proposals, Proposal.addressed_to, "institution", self.addressed_to
            )
        if self.issues:
            proposals = _through_filter(
                proposals, Proposal.issues, "issue", self.issues
            )
        if self.sessions:
            proposals = proposals.filter(session_key__in=self.sessions)
        return proposals

    def as_query(self) -> list[tuple[str, str]]:
        """The filters as query-string pairs, for links that keep them."""
        return query_pairs(
            ("status", self.statuses),
            ("addressed_to", self.addressed_to),
            ("issue", self.issues),
            ("session", self.sessions),
        )

    @property
    def active(self) -> bool:
        """Whether any filter is set."""
        return bool(self.as_query())


class ProposalFilterForm(FilterForm):
    """Query-string filters of the proposals page, its exports and its API twin."""

    status = forms.MultipleChoiceField(
        label=_("Status"), required=False, choices=ProposalStatus.choices
    )
    addressed_to = forms.MultipleChoiceField(label=_("Addressed to"), required=False)
    issue = forms.MultipleChoiceField(label=_("Issue"), required=False)
    session = forms.MultipleChoiceField(label=_("Session"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["addressed_to"].choices = _institution_choices()
        self.fields["issue"].choices = _issue_choices()
        sessions = {}
        for key, session in (
            Proposal.objects.exclude(session_key="")
            .order_by("pk")
            .values_list("session_key", "session")
        ):
            sessions.setdefault(key, session)
        self.fields["session"].choices = list(sessions.items())

    def filters(self) -> ProposalFilters:
        """The cleaned filters; call after is_valid()."""
        data = self.cleaned_data
        return ProposalFilters(
            statuses=tuple(data.get("status") or ()),
            addressed_to=tuple(data.get("addressed_to") or ()),
            issues=tuple(data.get("issue") or ()),
            sessions=tuple(data.get("session") or ()),
        )
