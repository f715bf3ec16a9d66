"""The participation page compares consultations and events with the Forum 2004."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clearinghouse.consultations.models import Consultation, Contribution, Question

pytestmark = pytest.mark.django_db


def test_the_forum_is_the_baseline_and_consultations_are_compared(
    client, forum2004, django_user_model
):
    from clearinghouse.core.models import Country, Profile

    now = timezone.now()
    consultation = Consultation.objects.create(
        slug="c1",
        title="First consultation",
        opens_at=now - timedelta(days=2),
        closes_at=now + timedelta(days=2),
    )
    question = Question.objects.create(consultation=consultation, kind="open", text="Q")
    for n, (group, country) in enumerate(
        [
            ("governments", "NP"),
            ("civil_society", "FR"),
            ("academia", "BR"),
            ("private_sector", "FR"),
        ]
    ):
        user = django_user_model.objects.create_user(f"u{n}", f"u{n}@example.org")
        Profile.objects.create(
            user=user,
            stakeholder_group=group,
            country=Country.objects.get(iso2=country),
        )
        Contribution.objects.create(
            question=question,
            kind="answer",
            author=user,
            body="text",
            status="published",
            language="fr" if n else "ar",
        )
    page = client.get("/en/participation/").content.decode()
    assert page.index("Global Forum on Internet Governance") < page.index(
        "First consultation"
    )
    assert "(baseline)" in page
    # Forum: about 35 % governments; the consultation: 1 of 4.
    assert "35 %" in page and "25 %" in page
    # Civil society and academia together: 2 of 4.
    assert "50 %" in page
    assert "<svg" in page


def test_the_page_works_with_nothing_recorded(client, reference_data):
    response = client.get("/ar/participation/")
    assert response.status_code == 200
    assert 'dir="rtl"' in response.content.decode()
