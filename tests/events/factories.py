"""Factories for events: valid records, as the secretariat makes them."""

from datetime import UTC, datetime, timedelta

import factory

from clearinghouse.events.models import (
    Event,
    EventKind,
    EventLanguage,
    EventStatus,
    ParticipationFigure,
)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    uid = factory.Sequence(lambda n: f"event-{n}@test.clearinghouse")
    title_en = factory.Sequence(lambda n: f"Event {n}")
    kind = EventKind.CONFERENCE
    status = EventStatus.CONFIRMED
    start = factory.LazyFunction(lambda: datetime(2030, 5, 4, 9, tzinfo=UTC))
    end = factory.LazyAttribute(lambda o: o.start + timedelta(hours=8))
    timezone = "UTC"
    source_url = "https://example.org/source"

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        if create and extracted:
            EventLanguage.objects.bulk_create(
                EventLanguage(event=self, language=code) for code in extracted
            )

    @factory.post_generation
    def issues(self, create, extracted, **kwargs):
        if create and extracted:
            self.issues.set(extracted)

    @factory.post_generation
    def organizers(self, create, extracted, **kwargs):
        if create and extracted:
            self.organizers.set(extracted)


class FigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ParticipationFigure

    event = factory.SubFactory(EventFactory)
    key = factory.Sequence(lambda n: f"figure-{n}")
    population = "participants"
    dimension = "total"
    category = ""
    value = 100
    unit = "persons"
    source_quote = "A quoted sentence."
