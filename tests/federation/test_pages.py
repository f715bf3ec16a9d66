"""Source pages, the sources API, the command, feeds, sitemap and robots.txt."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from clearinghouse.federation.models import HarvestRun, Source, SourceStatus
from clearinghouse.federation.services import source_approve, source_create
from clearinghouse.library.services import document_upsert_harvested
from tests.factories import InstitutionFactory, IssueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(db):
    source = Source.objects.create(
        name="Partner repository",
        kind="oai-pmh",
        url="https://partner.example.org/oai",
        institution=InstitutionFactory(),
        status=SourceStatus.ACTIVE,
    )
    HarvestRun.objects.create(
        source=source,
        started_at="2026-11-01T00:00:00Z",
        finished_at="2026-11-01T00:01:00Z",
        status="partial",
        fetched=10,
        created=9,
        skipped=1,
        errors=[{"record": "oai:x:7", "message": "title: A document needs a title."}],
    )
    return source


def test_the_sources_page_lists_approved_sources_with_their_health(client, source):
    Source.objects.create(
        name="Not yet approved",
        kind="feed",
        url="https://partner.example.org/feed",
        institution=source.institution,
    )
    response = client.get("/fr/sources/")
    assert response.status_code == 200
    assert "Partner repository" in response.content.decode()
    assert "Not yet approved" not in response.content.decode()


def test_the_log_shows_errors_to_the_secretariat_only(secretariat_client, source):
    public = Client().get(f"/en/sources/{source.pk}/").content.decode()
    assert "oai:x:7" not in public
    curated = secretariat_client.get(f"/en/sources/{source.pk}/").content.decode()
    assert "oai:x:7" in curated and "needs a title" in curated


def test_a_proposed_source_is_not_public(client, source):
    source.status = SourceStatus.PROPOSED
    source.save()
    assert client.get(f"/en/sources/{source.pk}/").status_code == 404


def test_the_api_lists_sources_with_their_last_run(client, source):
    rows = client.get("/api/v1/sources").json()
    assert rows[0]["name"] == "Partner repository"
    assert rows[0]["last_run"]["errors"] == 1


def test_registering_a_non_public_address_is_refused(source):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        source_create(
            name="Sneaky",
            kind="feed",
            url="http://169.254.169.254/latest/",
            institution=source.institution,
        )
    assert "url" in caught.value.message_dict


def test_approval_activates_and_queues_a_harvest(source, secretariat, settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }
    proposed = source_create(
        name="New partner feed",
        kind="feed",
        url="https://partner.example.org/news.atom",
        institution=source.institution,
        issues=[IssueFactory()],
    )
    assert proposed.status == SourceStatus.PROPOSED
    approved = source_approve(source=proposed, by=secretariat)
    assert approved.status == SourceStatus.ACTIVE
    assert approved.approved_by == secretariat


def test_the_command_refuses_unknown_or_inactive_sources(source):
    with pytest.raises(CommandError):
        call_command("harvest", "--source", "999999")
    source.status = SourceStatus.PAUSED
    source.save()
    with pytest.raises(CommandError):
        call_command("harvest", "--source", str(source.pk))


def test_the_command_says_when_nothing_is_due(capsys):
    call_command("harvest", "--due", "--dry-run")
    assert "No source is due." in capsys.readouterr().out


def _document(issue, institution):
    document_upsert_harvested(
        source_key="federation:test",
        source_label="Test partner",
        source_url="https://partner.example.org/oai",
        original_identifier="rec-1",
        datestamp=None,
        fields={
            "title": "Spam in developing countries",
            "summary": "A study.",
            "doc_type": "research",
            "language": "en",
            "issue_ids": [issue.pk],
            "institution_ids": [institution.pk],
        },
    )


def test_atom_feeds_per_issue_institution_and_type(client):
    issue, institution = IssueFactory(), InstitutionFactory()
    _document(issue, institution)
    for url in (
        f"/feeds/issues/{issue.slug}.atom",
        f"/feeds/institutions/{institution.slug}.atom",
        "/feeds/types/research.atom",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("application/atom+xml")
        assert "Spam in developing countries" in response.content.decode()
    assert client.get("/feeds/types/nonsense.atom").status_code == 404
    assert client.get("/feeds/issues/nowhere.atom").status_code == 404


def test_the_sitemap_has_language_alternates(client, source):
    _document(IssueFactory(), InstitutionFactory())
    body = client.get("/sitemap.xml").content.decode()
    assert 'hreflang="ar"' in body and 'hreflang="zh-hans"' in body
    assert "/fr/sources/" in body
    assert 'hreflang="x-default"' in body


def test_robots_txt_names_the_sitemap(client):
    body = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body
