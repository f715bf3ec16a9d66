"""The synthesis: counts by group, commonality, division, opinion groups."""

import numpy as np
import pytest
from django.core.cache import cache

from clearinghouse.consultations.models import (
    Contribution,
    QuestionKind,
    Status,
    Synthesis,
    Vote,
)
from clearinghouse.consultations.synthesis import opinion_groups, synthesis_store

from .conftest import question_of

pytestmark = pytest.mark.django_db


def test_opinion_groups_find_planted_groups_and_their_statements():
    rng = np.random.default_rng(1)
    people, statements = 300, 40
    truth = np.repeat([0, 1, 2], 100)
    favoured = np.arange(statements) % 3
    rows = []
    for person in range(people):
        for s in rng.choice(statements, 25, replace=False):
            agree = 0.9 if favoured[s] == truth[person] else 0.1
            rows.append((person, s, 1 if rng.random() < agree else -1))
    votes = np.array(rows)
    result = opinion_groups(
        votes[:, 0], votes[:, 1], votes[:, 2], people, np.arange(100, 140)
    )
    assert result["k"] == 3
    assert sorted(g["size"] for g in result["groups"]) == [100, 100, 100]
    for group in result["groups"]:
        agreed = [s for s in group["statements"] if s["direction"] == "agree"]
        assert agreed and len({(s["id"] - 100) % 3 for s in agreed}) == 1


def test_too_few_voters_give_no_opinion_groups():
    votes = np.array([[0, 0, 1], [1, 0, -1]])
    assert (
        opinion_groups(votes[:, 0], votes[:, 1], votes[:, 2], 2, np.array([7])) is None
    )


def test_commonality_and_division_by_stakeholder_group(
    consultation, make_participant, settings
):
    settings.CONSULTATIONS_TRUSTED_AFTER = 0
    question = question_of(consultation, QuestionKind.STATEMENTS)
    author = make_participant()
    common, divisive = (
        Contribution.objects.create(
            question=question,
            kind="statement",
            author=author,
            body=text,
            status=Status.PUBLISHED,
            language="en",
        )
        for text in ("Everyone agrees.", "Governments disagree.")
    )
    for group in ("governments", "civil_society"):
        for _n in range(6):
            voter = make_participant(group=group)
            Vote.objects.create(
                statement=common, participant=voter, value=1, consultation=consultation
            )
            Vote.objects.create(
                statement=divisive,
                participant=voter,
                value=-1 if group == "governments" else 1,
                consultation=consultation,
            )
    data = synthesis_store(consultation=consultation).data
    assert data["commonality"] == [common.pk]
    assert data["divisive"] == [divisive.pk]
    by_id = {s["id"]: s for s in data["statements"]}
    assert by_id[divisive.pk]["groups"] == {
        "civil_society": [6, 6],
        "governments": [0, 6],
    }
    assert dict(data["participation"]["stakeholder_group"]) == {
        "governments": 6,
        "civil_society": 7,
    }


def test_the_page_serves_the_stored_synthesis_and_says_when_newer_data_waits(
    client, consultation
):
    cache.clear()
    page = client.get("/en/consultations/access/synthesis/").content.decode()
    assert "being computed" in page
    synthesis_store(consultation=consultation)
    page = client.get("/en/consultations/access/synthesis/").content.decode()
    assert 'id="n-participants">0<' in page
    type(consultation).objects.filter(pk=consultation.pk).update(data_version=5)
    page = client.get("/en/consultations/access/synthesis/").content.decode()
    assert "Newer contributions are being added" in page
    assert Synthesis.objects.get().version == 0


def test_exports_refuse_unknown_formats_and_wait_for_a_synthesis(client, consultation):
    assert client.get("/en/consultations/access/synthesis/csv/").status_code == 503
    synthesis_store(consultation=consultation)
    response = client.get("/en/consultations/access/synthesis/csv/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert client.get("/en/consultations/access/synthesis/pdf/").status_code == 400


def test_outcomes_show_on_the_subjects_page(client, forum2004, consultation):
    from clearinghouse.taxonomy.models import Issue

    issue = Issue.objects.first()
    consultation.issue = issue
    consultation.outcome = "Participants asked for remote hubs."
    consultation.save()
    page = client.get(f"/en/issues/{issue.slug}/").content.decode()
    assert "Participants asked for remote hubs." in page
    assert "/en/consultations/access/" in page
