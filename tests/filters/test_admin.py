"""The admin shows versions read-only and lets the secretariat remove an assessment."""

import pytest

from clearinghouse.filters import services
from clearinghouse.filters.models import Assessment
from tests.factories import IssueFactory

from .conftest import answers

pytestmark = pytest.mark.django_db


def test_versions_and_assessments_render_and_versions_cannot_be_edited(
    secretariat_client, version, verified
):
    assessment = services.assessment_create(
        issue=IssueFactory(),
        by=verified,
        stakeholder_group="academia",
        answers=answers(cross_border="no"),
    )
    for base, pk in (
        ("/admin/filters/filterversion/", version.pk),
        ("/admin/filters/assessment/", assessment.pk),
    ):
        assert secretariat_client.get(base).status_code == 200, base
        assert secretariat_client.get(base + "?q=issue").status_code == 200, base
        assert secretariat_client.get(base + "add/").status_code == 403, base
        page = secretariat_client.get(f"{base}{pk}/change/")
        assert page.status_code == 200, base
    response = secretariat_client.post(
        f"/admin/filters/filterversion/{version.pk}/change/", {"note": "edited"}
    )
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.note == ""


def test_the_secretariat_removes_an_assessment(secretariat_client, version, verified):
    assessment = services.assessment_create(
        issue=IssueFactory(),
        by=verified,
        stakeholder_group="academia",
        answers=answers(cross_border="no"),
    )
    response = secretariat_client.post(
        f"/admin/filters/assessment/{assessment.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Assessment.objects.exists()
