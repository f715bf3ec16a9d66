"""Proposals: filters give the same rows on the page, in exports and in the API;
the secretariat records dated follow-ups that set the status."""

import csv
import datetime
import io
import json

import pytest
from openpyxl import load_workbook

from clearinghouse.roadmap.models import Proposal, ProposalStatus, ProposalUpdate
from tests.factories import AreaFactory, InstitutionFactory, IssueFactory
from tests.roadmap.factories import ProposalFactory, ProposalUpdateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(db):
    """Five proposals: to ITU, ICANN, both, nobody; two sessions; two issues."""
    area = AreaFactory()
    spam = IssueFactory(slug="spam", area=area)
    dns = IssueFactory(slug="dns", area=area)
    itu = InstitutionFactory(slug="itu", acronym="ITU")
    icann = InstitutionFactory(slug="icann", acronym="ICANN")
    InstitutionFactory(slug="wto", acronym="WTO")
    ProposalFactory(slug="to-itu", addressed_to=[itu], issues=[spam])
    ProposalFactory(slug="to-icann", addressed_to=[icann], issues=[dns])
    ProposalFactory(
        slug="to-both",
        addressed_to=[itu, icann],
        issues=[spam, dns],
        session="Closing session",
        session_key="closing-session",
    )
    ProposalFactory(
        slug="to-nobody", session="Closing session", session_key="closing-session"
    )
    taken = ProposalFactory(slug="taken", addressed_to=[itu])
    ProposalUpdateFactory(proposal=taken, status=ProposalStatus.TAKEN_UP)
    Proposal.objects.filter(pk=taken.pk).update(status=ProposalStatus.TAKEN_UP)


def _page(client, query):
    response = client.get(f"/en/proposals/?{query}")
    assert response.status_code == 200
    slugs = {p.slug for p in response.context["proposals"]}
    html = response.content.decode()
    for slug in slugs:
        assert f'href="/en/proposals/{slug}/"' in html
    return slugs, html


def _csv(client, query):
    response = client.get(f"/en/proposals/export/csv/?{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return {
        row["slug"] for row in csv.DictReader(io.StringIO(response.content.decode()))
    }


def _json(client, query):
    response = client.get(f"/en/proposals/export/json/?{query}")
    assert response.status_code == 200
    return {row["slug"] for row in json.loads(response.content)}


def _xlsx(client, query):
    response = client.get(f"/en/proposals/export/xlsx/?{query}")
    assert response.status_code == 200
    rows = list(
        load_workbook(io.BytesIO(response.content), read_only=True).active.iter_rows(
            values_only=True
        )
    )
    index = rows[1].index("slug")
    return {row[index] for row in rows[2:]}


def _api(client, query):
    response = client.get(f"/api/v1/proposals?{query}")
    assert response.status_code == 200, response.content
    return {row["slug"] for row in response.json()}


ALL = {"to-itu", "to-icann", "to-both", "to-nobody", "taken"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ALL),
        ("addressed_to=itu", {"to-itu", "to-both", "taken"}),
        (
            "addressed_to=itu&addressed_to=icann",
            {"to-itu", "to-icann", "to-both", "taken"},
        ),
        ("addressed_to=wto", set()),
        ("issue=spam", {"to-itu", "to-both"}),
        ("issue=dns&addressed_to=itu", {"to-both"}),
        ("session=closing-session", {"to-both", "to-nobody"}),
        ("status=taken_up", {"taken"}),
        ("status=proposed&addressed_to=itu", {"to-itu", "to-both"}),
    ],
)
def test_filters_give_the_same_rows_on_page_exports_and_api(
    client, sample, query, expected
):
    page, _html = _page(client, query)
    assert page == expected
    assert _csv(client, query) == expected
    assert _json(client, query) == expected
    assert _xlsx(client, query) == expected
    assert _api(client, query) == expected


def test_what_was_asked_of_itu_has_its_own_heading(client, sample):
    slugs, html = _page(client, "addressed_to=itu")
    assert slugs == set(
        Proposal.objects.filter(addressed_to__slug="itu").values_list("slug", flat=True)
    )
    assert "What was asked of ITU" in html
    _slugs, html = _page(client, "")
    assert "What was asked of" not in html


def test_export_rows_carry_addressees_issues_and_status(client, sample):
    rows = json.loads(
        client.get("/en/proposals/export/json/?addressed_to=icann").content
    )
    both = next(row for row in rows if row["slug"] == "to-both")
    assert both["addressed_to"] == ["icann", "itu"] or set(both["addressed_to"]) == {
        "icann",
        "itu",
    }
    assert set(both["issues"]) == {"spam", "dns"}
    assert both["status"] == "proposed"
    taken = client.get("/api/v1/proposals?status=taken_up").json()[0]
    assert taken["status_since"] == "2004-03-26"


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        (
            "/en/proposals/?status=adopted",
            "adopted is not one of the available choices",
        ),
        (
            "/en/proposals/?addressed_to=nasa",
            "nasa is not one of the available choices",
        ),
        ("/en/proposals/?issue=weather", "weather is not one of the available choices"),
        ("/en/proposals/?session=lunch", "lunch is not one of the available choices"),
        ("/en/proposals/export/csv/?addressed_to=nasa", "nasa is not one of"),
        ("/en/proposals/export/docx/", "Unknown export format"),
    ],
)
def test_unknown_filter_value_is_a_400_that_names_it(client, sample, url, needle):
    response = client.get(url)
    assert response.status_code == 400
    assert needle in response.content.decode()


def test_unknown_filter_value_in_the_api_is_a_400_with_detail(client, sample):
    response = client.get("/api/v1/proposals?addressed_to=nasa")
    assert response.status_code == 400
    assert any("nasa" in message for message in response.json()["detail"])
    assert client.get("/api/v1/milestones?issue=weather").status_code == 400


def test_unknown_proposal_is_a_404(client, db):
    assert client.get("/en/proposals/nothing/").status_code == 404
    response = client.get("/api/v1/proposals/nothing")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_proposal_page_shows_its_follow_up_timeline(client, sample):
    response = client.get("/en/proposals/taken/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="follow-up"' in html
    assert "Taken up" in html
    assert "Record a follow-up" not in html  # not for the public


# Follow-up updates through the page ------------------------------------------


def _post_update(client, slug, **data):
    payload = {
        "date": "2004-03-27",
        "status": "taken_up",
        "note": "Presented at the Sixth Meeting of the Task Force.",
        "source_url": "https://example.org/report",
        "source_title": "Report of the Sixth Meeting",
        **data,
    }
    return client.post(f"/en/proposals/{slug}/updates/", payload)


def test_secretariat_records_a_follow_up_that_changes_the_status_kept_in_history(
    secretariat_client, sample
):
    page = secretariat_client.get("/en/proposals/to-itu/").content.decode()
    assert "Record a follow-up" in page
    response = _post_update(secretariat_client, "to-itu")
    assert response.status_code == 302
    assert response["Location"].endswith("/en/proposals/to-itu/#follow-up")
    proposal = Proposal.objects.get(slug="to-itu")
    assert proposal.status == ProposalStatus.TAKEN_UP
    update = proposal.updates.get()
    assert update.created_by.username == "curator"
    assert [h.status for h in proposal.history.order_by("history_date")][-2:] == [
        "proposed",
        "taken_up",
    ]
    html = secretariat_client.get("/en/proposals/to-itu/").content.decode()
    assert "Presented at the Sixth Meeting" in html
    assert "Report of the Sixth Meeting" in html
    # An earlier-dated follow-up does not override the latest one.
    _post_update(secretariat_client, "to-itu", date="2004-03-26", status="proposed")
    assert Proposal.objects.get(slug="to-itu").status == ProposalStatus.TAKEN_UP


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"date": "26/13/2004"}, "Enter a valid date"),
        ({"date": "2999-01-01"}, "cannot be dated in the future"),
        ({"status": "adopted"}, "adopted is not one of the available choices"),
        ({"note": "x" * 4001}, "at most 4000 characters"),
        ({"source_url": "", "source_title": ""}, "Give a source"),
    ],
)
def test_a_bad_follow_up_is_a_400_and_writes_nothing(
    secretariat_client, sample, data, needle
):
    response = _post_update(secretariat_client, "to-itu", **data)
    assert response.status_code == 400
    assert needle in response.content.decode()
    assert not ProposalUpdate.objects.filter(proposal__slug="to-itu").exists()
    assert Proposal.objects.get(slug="to-itu").status == ProposalStatus.PROPOSED


def test_only_the_secretariat_records_follow_ups(client, sample, participant):
    assert _post_update(client, "to-itu").status_code == 403
    client.force_login(participant)
    response = _post_update(client, "to-itu")
    assert response.status_code == 403
    assert "Only the secretariat" in response.content.decode()
    assert not ProposalUpdate.objects.filter(proposal__slug="to-itu").exists()


def test_a_follow_up_for_a_missing_proposal_is_a_404(secretariat_client, db):
    assert _post_update(secretariat_client, "no-such-proposal").status_code == 404


# Follow-up updates through the API --------------------------------------------


def _api_post(client, slug, payload):
    return client.post(
        f"/api/v1/proposals/{slug}/updates",
        data=json.dumps(payload),
        content_type="application/json",
    )


GOOD = {
    "date": "2004-06-30",
    "status": "in_progress",
    "note": "Work began.",
    "source_url": "https://example.org/progress",
    "source_title": "Progress report",
}


def test_api_adds_a_follow_up_for_the_secretariat(secretariat_client, sample):
    response = _api_post(secretariat_client, "to-icann", GOOD)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "in_progress"
    assert body["updates"][-1]["date"] == "2004-06-30"
    assert Proposal.objects.get(slug="to-icann").status == "in_progress"


def test_api_refuses_bad_follow_ups_with_messages(secretariat_client, sample):
    missing = _api_post(secretariat_client, "no-such-proposal", GOOD)
    assert missing.status_code == 404
    assert missing.json()["detail"]
    for payload in (
        {**GOOD, "date": "2004-02-30"},
        {**GOOD, "date": "next week"},
        {**GOOD, "status": "adopted"},
        {**GOOD, "note": "x" * 4001},
    ):
        response = _api_post(secretariat_client, "to-icann", payload)
        assert response.status_code == 422, payload
        assert response.json()["detail"], payload
    no_source = _api_post(secretariat_client, "to-icann", {**GOOD, "source_url": ""})
    assert no_source.status_code == 400
    assert "source" in " ".join(no_source.json()["detail"]).lower()
    future = _api_post(secretariat_client, "to-icann", {**GOOD, "date": "2999-01-01"})
    assert future.status_code == 400
    assert not ProposalUpdate.objects.filter(proposal__slug="to-icann").exists()


def test_api_follow_ups_are_for_the_secretariat_only(client, sample, participant):
    assert _api_post(client, "to-icann", GOOD).status_code == 401
    client.force_login(participant)
    assert _api_post(client, "to-icann", GOOD).status_code == 403
    assert (
        not ProposalUpdate.objects.exists()
        or not ProposalUpdate.objects.filter(proposal__slug="to-icann").exists()
    )


def test_api_proposal_detail_has_its_follow_up(client, sample):
    body = client.get("/api/v1/proposals/taken").json()
    assert body["status"] == "taken_up"
    assert [u["status"] for u in body["updates"]] == ["taken_up"]
    assert body["url"].endswith("/en/proposals/taken/")
    assert datetime.date.fromisoformat(body["updates"][0]["date"])
