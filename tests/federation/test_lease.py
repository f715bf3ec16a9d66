"""The harvest lock: renewed while a harvest makes progress, taken over once a
dead worker's lock has expired, and given up when another harvest holds it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clearinghouse.federation.models import HarvestRun, RunStatus, Source
from clearinghouse.federation.services import source_harvest
from clearinghouse.library.models import DocumentProvenance

from .oai_server import OaiRepository, serve

pytestmark = pytest.mark.django_db


@pytest.fixture
def repository():
    repository = OaiRepository(page_size=10)
    repository.add(40)
    return repository


@pytest.fixture
def source(make_source, repository):
    with serve(repository) as server:
        yield make_source(server.url("/oai"))


def test_an_expired_lock_is_taken_over_and_the_dead_run_is_closed(source):
    dead = HarvestRun.objects.create(source=source, started_at=timezone.now())
    Source.objects.filter(pk=source.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1), lease_token="dead-worker"
    )
    run = source_harvest(source=source)
    assert run.status == RunStatus.SUCCEEDED, run.errors
    assert DocumentProvenance.objects.filter(source_key=source.key).count() == 40
    dead.refresh_from_db()
    assert dead.status == RunStatus.FAILED
    assert dead.finished_at is not None
    assert "stopped before it finished" in dead.errors[-1]["message"]
    source.refresh_from_db()
    assert source.lease_until is None


def test_the_lock_is_renewed_as_the_harvest_goes(source, repository, settings):
    settings.FEDERATION_LEASE_SECONDS = 0  # renew before every request
    seen = []
    repository.faults = {2: "503", 4: "503"}

    def sleep(_seconds):
        seen.append(Source.objects.get(pk=source.pk).lease_until)

    run = source_harvest(source=source, sleep=sleep)
    assert run.status == RunStatus.SUCCEEDED, run.errors
    assert len(seen) == 2
    assert seen[0] < seen[1]


def test_a_harvest_that_lost_its_lock_stops_and_keeps_its_pages(
    source, repository, settings
):
    settings.FEDERATION_LEASE_SECONDS = 0
    # Request 3 (the third page) is refused once; while the harvest waits to
    # try again, another harvest takes the source over.
    repository.faults = {3: "503"}

    def sleep(_seconds):
        Source.objects.filter(pk=source.pk).update(lease_token="another-worker")

    run = source_harvest(source=source, sleep=sleep)
    assert run.status == RunStatus.FAILED
    assert run.errors[-1]["message"] == "Another harvest is running."
    # The two pages written before stay; the other harvest's lock is kept.
    assert DocumentProvenance.objects.filter(source_key=source.key).count() == 20
    source.refresh_from_db()
    assert source.lease_token == "another-worker"
    assert source.cursor == ""
