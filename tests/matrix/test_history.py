"""Every change to a curated record is kept and shown publicly: who and when."""

import pytest
from django.utils import timezone

from clearinghouse.matrix.models import Mandate
from tests.factories import MandateFactory

pytestmark = pytest.mark.django_db


def _admin_form(mandate, **changes):
    data = {
        "institution": mandate.institution.pk,
        "issue": mandate.issue.pk,
        "roles": [role.pk for role in mandate.roles.all()],
        "status": mandate.status,
        "since_year": mandate.since_year or "",
        "note": mandate.note,
        "source_quote": mandate.source_quote,
        "source_url": mandate.source_url,
        "source_title": mandate.source_title,
        "concerns-TOTAL_FORMS": "0",
        "concerns-INITIAL_FORMS": "0",
        "concerns-MIN_NUM_FORMS": "0",
        "concerns-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_editing_a_mandate_in_the_admin_shows_on_the_issue_page(client, secretariat):
    secretariat.first_name, secretariat.last_name = "Ada", "Curator"
    secretariat.save()
    mandate = MandateFactory(since_year=1998)
    client.force_login(secretariat)
    response = client.post(
        f"/admin/matrix/mandate/{mandate.pk}/change/",
        _admin_form(mandate, since_year="2001", roles=["policy_norms"]),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    mandate.refresh_from_db()
    assert mandate.since_year == 2001

    client.logout()
    page = client.get(f"/en/issues/{mandate.issue.slug}/")
    html = page.content.decode()
    history = page.context["history"]
    latest = history[0]
    assert latest.who == "Ada Curator"
    assert latest.action == "~"
    assert "since year" in latest.fields
    assert "roles" in latest.fields
    assert (timezone.now() - latest.when).total_seconds() < 60
    assert "Ada Curator" in html
    assert "since year" in html


def test_admin_refuses_an_over_long_field_with_a_form_error(client, secretariat):
    mandate = MandateFactory()
    client.force_login(secretariat)
    response = client.post(
        f"/admin/matrix/mandate/{mandate.pk}/change/",
        _admin_form(mandate, source_title="x" * 501),
    )
    assert response.status_code == 200
    assert "Ensure this value has at most 500 characters" in response.content.decode()
    mandate.refresh_from_db()
    assert mandate.source_title == ""


def test_admin_refuses_a_mandate_without_evidence(client, secretariat):
    mandate = MandateFactory()
    client.force_login(secretariat)
    response = client.post(
        f"/admin/matrix/mandate/{mandate.pk}/change/",
        _admin_form(mandate, source_quote="", source_url=""),
    )
    assert response.status_code == 200
    assert "Give a source: a quoted sentence or a URL." in response.content.decode()
    assert Mandate.objects.get(pk=mandate.pk).source_quote


def test_deleted_mandate_stays_in_the_issue_history(client, secretariat):
    mandate = MandateFactory()
    issue = mandate.issue
    client.force_login(secretariat)
    response = client.post(
        f"/admin/matrix/mandate/{mandate.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    history = client.get(f"/en/issues/{issue.slug}/").context["history"]
    assert history[0].action == "-"
    assert history[0].who == "curator"
