"""Factories for test data: valid records with a source, as curators make them."""

import factory

from clearinghouse.actors.models import Institution
from clearinghouse.core.models import StakeholderGroup
from clearinghouse.matrix.models import Concern, Mandate, MandateStatus, Role
from clearinghouse.taxonomy.models import Area, Issue


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    slug = factory.Sequence(lambda n: f"area-{n}")
    name = factory.Sequence(lambda n: f"Area {n}")
    order = factory.Sequence(int)
    source_url = "https://example.org/source"


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issue

    slug = factory.Sequence(lambda n: f"issue-{n}")
    name = factory.Sequence(lambda n: f"Issue {n}")
    area = factory.SubFactory(AreaFactory)
    source_url = "https://example.org/source"


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    slug = factory.Sequence(lambda n: f"institution-{n}")
    name = factory.Sequence(lambda n: f"Institution {n}")
    acronym = factory.Sequence(lambda n: f"I{n}")
    kind = "intergovernmental"
    stakeholder_group = StakeholderGroup.INTERGOVERNMENTAL
    scope = "global"
    source_url = "https://example.org/source"


class MandateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mandate
        skip_postgeneration_save = True

    institution = factory.SubFactory(InstitutionFactory)
    issue = factory.SubFactory(IssueFactory)
    status = MandateStatus.ACTIVE
    source_quote = "A quoted sentence."

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create:
            codes = extracted or ["standard_setting"]
            self.roles.set(Role.objects.filter(code__in=codes))


class ConcernFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Concern

    kind = "legitimacy"
    summary = "A concern."
    source_quote = "A quoted sentence."
