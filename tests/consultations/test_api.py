"""The API: consultations, questions, published contributions; no private data."""

import json

import pytest

from clearinghouse.consultations.models import QuestionKind
from clearinghouse.consultations.services import contribution_submit
from clearinghouse.consultations.synthesis import synthesis_store

from .conftest import question_of

pytestmark = pytest.mark.django_db


def test_published_contributions_carry_no_private_data(
    client, consultation, make_participant, settings
):
    settings.CONSULTATIONS_TRUSTED_AFTER = 0
    hidden = make_participant()
    hidden.first_name, hidden.last_name = "Hidden", "Person"
    hidden.save()
    shown = make_participant()
    shown.first_name, shown.last_name = "Shown", "Person"
    shown.save()
    shown.profile.show_name = True
    shown.profile.save()
    question = question_of(consultation, QuestionKind.OPEN)
    for author in (hidden, shown):
        contribution_submit(
            question=question,
            author=author,
            body="Capacity building deserves dedicated funding.",
            kind="answer",
        )
    contribution_submit(
        question=question,
        author=make_participant(),
        body="held",
        kind="answer",
    ).__class__.objects.filter(body="held").update(status="pending")

    response = client.get(
        f"/api/v1/consultations/access/questions/{question.pk}/contributions"
    )
    assert response.status_code == 200
    rows = response.json()
    assert [row["author"] for row in rows] == ["", "Shown Person"]
    raw = json.dumps(rows)
    assert "@example.org" not in raw and "Hidden" not in raw and "held" not in raw
    assert rows[0]["language"] == "en"


def test_consultations_questions_and_synthesis(client, consultation):
    rows = client.get("/api/v1/consultations").json()
    assert [row["slug"] for row in rows] == ["access"]
    detail = client.get("/api/v1/consultations/access").json()
    assert [q["kind"] for q in detail["questions"]] == ["open", "choice", "statements"]
    assert len(detail["questions"][1]["options"]) == 2
    assert client.get("/api/v1/consultations/nowhere").status_code == 404
    assert (
        client.get("/api/v1/consultations/access/synthesis").json()["figures"] is None
    )
    synthesis_store(consultation=consultation)
    figures = client.get("/api/v1/consultations/access/synthesis").json()["figures"]
    assert figures["participants"] == 0
    assert "@" not in json.dumps(figures)
