"""The filters of the matrix and the gap lists: one form for pages, exports and API.

Every door into the matrix validates its query string with these forms, so an
unknown value is refused the same way everywhere, in the visitor's language,
and the same filters select the same rows everywhere.
"""

from dataclasses import dataclass

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from clearinghouse.core.filters import FilterForm, query_pairs, region_choices
from clearinghouse.core.models import StakeholderGroup
from clearinghouse.taxonomy.models import Area

from .models import Mandate, MandateStatus, RoleCode


@dataclass(frozen=True)
class MatrixFilters:
    """The cleaned filters: each an empty tuple when not used."""

    areas: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()

    def apply_to_issues(self, issues: QuerySet) -> QuerySet:
        """Restrict issues to the chosen areas."""
        return issues.filter(area__slug__in=self.areas) if self.areas else issues

    def apply_to_mandates(
        self, mandates: QuerySet, *, statuses: bool = True
    ) -> QuerySet:
        """Restrict mandates to the chosen areas, groups, regions, roles, statuses."""
        if self.areas:
            mandates = mandates.filter(issue__area__slug__in=self.areas)
        if self.groups:
            mandates = mandates.filter(institution__stakeholder_group__in=self.groups)
        if self.regions:
            mandates = mandates.filter(
                Q(institution__headquarters__region_id__in=self.regions)
                | Q(institution__headquarters__subregion_id__in=self.regions)
                | Q(institution__headquarters__intermediate_region_id__in=self.regions)
            )
        if self.roles:
            through = Mandate.roles.through
            mandates = mandates.filter(
                Exists(
                    through.objects.filter(
                        mandate_id=OuterRef("pk"), role_id__in=self.roles
                    )
                )
            )
        if statuses and self.statuses:
            mandates = mandates.filter(status__in=self.statuses)
        return mandates

    def as_query(self) -> list[tuple[str, str]]:
        """The filters as query-string pairs, for links that keep them."""
        return query_pairs(
            ("area", self.areas),
            ("group", self.groups),
            ("region", self.regions),
            ("role", self.roles),
            ("status", self.statuses),
        )

    @property
    def active(self) -> bool:
        """Whether any filter is set."""
        return bool(self.as_query())


class MatrixFilterForm(FilterForm):
    """Query-string filters of the matrix page, its exports and its API twin."""

    area = forms.MultipleChoiceField(label=_("Area"), required=False)
    group = forms.MultipleChoiceField(
        label=_("Stakeholder group"), required=False, choices=StakeholderGroup.choices
    )
    region = forms.MultipleChoiceField(label=_("Region"), required=False)
    role = forms.MultipleChoiceField(
        label=_("Role"), required=False, choices=RoleCode.choices
    )
    status = forms.MultipleChoiceField(
        label=_("Status"), required=False, choices=MandateStatus.choices
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [
            (area.slug, area.name) for area in Area.objects.order_by("order", "slug")
        ]
        self.fields["region"].choices = region_choices()

    def filters(self) -> MatrixFilters:
        """The cleaned filters; call after is_valid()."""
        data = self.cleaned_data
        return MatrixFilters(
            areas=tuple(data.get("area") or ()),
            groups=tuple(data.get("group") or ()),
            regions=tuple(data.get("region") or ()),
            roles=tuple(data.get("role") or ()),
            statuses=tuple(data.get("status") or ()),
        )


class GapFilterForm(MatrixFilterForm):
    """The gap lists take the matrix filters but status: gaps count active mandates."""

    GAP_LISTS = (
        ("no_home", _("Issues with no home")),
        ("single_group", _("Issues covered by a single stakeholder group")),
        ("duplication", _("Possible duplication")),
    )

    list = forms.ChoiceField(label=_("Gap list"), required=False, choices=GAP_LISTS)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["status"]
