"""Factories for road-map test data: sourced milestones, proposals, follow-ups."""

import datetime

import factory

from clearinghouse.roadmap.models import (
    Milestone,
    MilestoneStatus,
    Proposal,
    ProposalStatus,
    ProposalUpdate,
)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"milestone-{n}")
    title = factory.Sequence(lambda n: f"Milestone {n}")
    status = MilestoneStatus.FORESEEN
    earliest_start = datetime.date(2004, 4, 1)
    latest_start = datetime.date(2004, 6, 30)
    earliest_end = datetime.date(2004, 9, 1)
    latest_end = datetime.date(2004, 12, 31)
    source_quote = "A quoted sentence."

    @factory.post_generation
    def issues(self, create, extracted, **kwargs):
        if create and extracted:
            self.issues.set(extracted)

    @factory.post_generation
    def institutions(self, create, extracted, **kwargs):
        if create and extracted:
            self.institutions.set(extracted)

    @factory.post_generation
    def depends_on(self, create, extracted, **kwargs):
        if create and extracted:
            self.depends_on.set(extracted)


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"proposal-{n}")
    text = factory.Sequence(lambda n: f"Proposal number {n} should be done;")
    session = "Session II"
    session_key = "session-ii"
    status = ProposalStatus.PROPOSED
    source_quote = "A quoted sentence."

    @factory.post_generation
    def addressed_to(self, create, extracted, **kwargs):
        if create and extracted:
            self.addressed_to.set(extracted)

    @factory.post_generation
    def issues(self, create, extracted, **kwargs):
        if create and extracted:
            self.issues.set(extracted)


class ProposalUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProposalUpdate

    proposal = factory.SubFactory(ProposalFactory)
    date = datetime.date(2004, 3, 26)
    status = ProposalStatus.PROPOSED
    note = "Recorded."
    source_quote = "A quoted sentence."
