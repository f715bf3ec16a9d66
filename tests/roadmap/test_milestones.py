"""Milestones: a changed span keeps the old forecast; dependencies never cycle."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError

from clearinghouse.roadmap import services
from clearinghouse.roadmap.models import Forecast, Milestone
from tests.factories import AreaFactory, InstitutionFactory, IssueFactory
from tests.roadmap.factories import MilestoneFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def _patch(client, slug, payload):
    return client.patch(
        f"/api/v1/milestones/{slug}",
        data=json.dumps(payload),
        content_type="application/json",
    )


def test_changing_the_span_keeps_the_old_forecast_shown_on_the_page(
    client, secretariat
):
    milestone = MilestoneFactory(
        slug="prepcom",
        earliest_start=D(2004, 6, 15),
        latest_start=D(2004, 6, 30),
        earliest_end=D(2004, 6, 15),
        latest_end=D(2004, 6, 30),
    )
    services.milestone_update(
        milestone=milestone,
        by=secretariat,
        reason="The dates were announced: 24-26 June.",
        earliest_start=D(2004, 6, 24),
        latest_start=D(2004, 6, 24),
        earliest_end=D(2004, 6, 26),
        latest_end=D(2004, 6, 26),
    )
    forecast = Forecast.objects.get(milestone=milestone)
    assert forecast.span == (
        D(2004, 6, 15),
        D(2004, 6, 30),
        D(2004, 6, 15),
        D(2004, 6, 30),
    )
    assert forecast.replaced_by == secretariat
    assert forecast.reason == "The dates were announced: 24-26 June."
    milestone.refresh_from_db()
    assert milestone.earliest_start == D(2004, 6, 24)

    response = client.get("/en/roadmap/prepcom/")
    assert response.status_code == 200
    html = response.content.decode()
    section = html.split('id="forecasts"')[1].split("</section>")[0]
    assert "between June 15, 2004 and June 30, 2004" in section
    assert "June 24, 2004" in section and "June 26, 2004" in section
    assert "The dates were announced: 24-26 June." in section
    assert "curator" in section
    assert "<svg" in section  # the moves drawn, one row per forecast
    # The public history records the change too.
    assert milestone.history.count() == 2


def test_changing_other_fields_keeps_no_forecast(db):
    milestone = MilestoneFactory()
    services.milestone_update(milestone=milestone, title="Renamed")
    services.milestone_update(
        milestone=milestone, earliest_start=milestone.earliest_start
    )
    assert not Forecast.objects.exists()


def test_a_span_change_needs_a_reason(db):
    milestone = MilestoneFactory()
    with pytest.raises(ValidationError) as error:
        services.milestone_update(milestone=milestone, latest_end=D(2005, 1, 1))
    assert "reason" in error.value.message_dict
    assert not Forecast.objects.exists()


def test_a_contradictory_span_is_refused_without_keeping_a_forecast(db):
    milestone = MilestoneFactory()
    with pytest.raises(ValidationError) as error:
        services.milestone_update(
            milestone=milestone, reason="typo", latest_start=D(2000, 1, 1)
        )
    assert "latest start cannot be before the earliest start" in str(error.value)
    assert not Forecast.objects.exists()


def test_a_dependency_cycle_is_refused_with_a_message(db):
    a = MilestoneFactory(slug="a")
    b = MilestoneFactory(slug="b", depends_on=[a])
    c = MilestoneFactory(slug="c", depends_on=[b])
    with pytest.raises(ValidationError) as error:
        services.milestone_relations_set(milestone=a, depends_on=[c])
    message = " ".join(error.value.message_dict["depends_on"])
    assert "cycle" in message
    assert "a → c → b → a" in message
    assert not a.depends_on.exists()
    with pytest.raises(ValidationError, match="cycle"):
        services.milestone_relations_set(milestone=a, depends_on=[a])
    # A diamond is not a cycle.
    d = MilestoneFactory(slug="d", depends_on=[b, a])
    assert services.milestone_relations_set(milestone=c, depends_on=[b, d])


def test_a_milestone_cannot_take_the_name_of_a_page(db):
    with pytest.raises(ValidationError, match="names a page"):
        services.milestone_create(
            slug="due", title="Due", status="foreseen", source_quote="q"
        )


def test_milestone_page_shows_dependencies_both_ways(client, db):
    a = MilestoneFactory(slug="consultations", title="Consultations held")
    MilestoneFactory(slug="wgig", title="Working group set up", depends_on=[a])
    html = client.get("/en/roadmap/consultations/").content.decode()
    section = html.split('id="dependencies"')[1].split("</section>")[0]
    assert "/en/roadmap/wgig/" in section
    html = client.get("/en/roadmap/wgig/").content.decode()
    assert "/en/roadmap/consultations/" in html.split('id="dependencies"')[1]


# The API ----------------------------------------------------------------------


@pytest.fixture
def chain(db):
    area = AreaFactory()
    IssueFactory(slug="spam", area=area)
    InstitutionFactory(slug="itu")
    a = MilestoneFactory(slug="a")
    MilestoneFactory(slug="b", depends_on=[a])
    return a


def test_api_lists_and_shows_milestones(client, chain):
    rows = client.get("/api/v1/milestones").json()
    assert {row["slug"] for row in rows} == {"a", "b"}
    b = next(row for row in rows if row["slug"] == "b")
    assert b["depends_on"] == ["a"]
    assert b["url"].endswith("/en/roadmap/b/")
    detail = client.get("/api/v1/milestones/a").json()
    assert detail["dependents"] == ["b"]
    assert detail["forecasts"] == []
    assert client.get("/api/v1/milestones/nope").status_code == 404


def test_api_patch_changing_the_span_keeps_the_old_one(secretariat_client, chain):
    response = _patch(
        secretariat_client,
        "a",
        {
            "latest_end": "2005-06-30",
            "earliest_end": None,
            "reason": "Postponed by six months.",
            "issues": ["spam"],
            "institutions": ["itu"],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["latest_end"] == "2005-06-30"
    assert body["earliest_end"] is None
    assert body["issues"] == ["spam"]
    assert body["forecasts"][0]["latest_end"] == "2004-12-31"
    assert body["forecasts"][0]["earliest_end"] == "2004-09-01"
    assert body["forecasts"][0]["reason"] == "Postponed by six months."
    assert body["forecasts"][0]["replaced_by"] == "curator"


def test_api_patch_refuses_bad_input_with_messages(secretariat_client, chain):
    cases = [
        ({"latest_end": "2005-02-30", "reason": "x"}, 422, "latest_end"),
        ({"earliest_start": "soon", "reason": "x"}, 422, "earliest_start"),
        ({"title": "x" * 301}, 422, "title"),
        ({"status": "lost"}, 422, "status"),
        ({"latest_end": "2006-01-01"}, 400, "Say why"),
        ({"latest_start": "2000-01-01", "reason": "x"}, 400, "latest start"),
        ({"depends_on": ["b"]}, 400, "cycle"),
        ({"depends_on": ["nowhere"]}, 400, "nowhere"),
        ({"issues": ["weather"]}, 400, "weather"),
    ]
    for payload, status, needle in cases:
        response = _patch(secretariat_client, "a", payload)
        assert response.status_code == status, (payload, response.content)
        assert needle in " ".join(response.json()["detail"]), payload
    assert not Forecast.objects.exists()
    assert not Milestone.objects.get(slug="a").depends_on.exists()
    assert _patch(secretariat_client, "nope", {"title": "x"}).status_code == 404


def test_api_patch_is_for_the_secretariat(client, chain, participant):
    assert _patch(client, "a", {"title": "Mine"}).status_code == 401
    client.force_login(participant)
    assert _patch(client, "a", {"title": "Mine"}).status_code == 403
    assert Milestone.objects.get(slug="a").title != "Mine"


def test_openapi_lists_the_roadmap_collections(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/milestones",
        "/api/v1/milestones/{slug}",
        "/api/v1/proposals",
        "/api/v1/proposals/{slug}",
        "/api/v1/proposals/{slug}/updates",
    ):
        assert path in paths


def test_a_cycle_through_a_long_chain_is_found(db):
    Milestone.objects.bulk_create(
        Milestone(slug=f"m-{n}", title=f"M {n}", source_quote="q") for n in range(3000)
    )
    ids = dict(Milestone.objects.values_list("slug", "pk"))
    through = Milestone.depends_on.through
    through.objects.bulk_create(
        through(from_milestone_id=ids[f"m-{n + 1}"], to_milestone_id=ids[f"m-{n}"])
        for n in range(2999)
    )
    first, last = (
        Milestone.objects.get(slug="m-0"),
        Milestone.objects.get(slug="m-2999"),
    )
    with pytest.raises(ValidationError, match="cycle: m-0 → m-2999 → m-2998"):
        services.milestone_relations_set(milestone=first, depends_on=[last])
    assert services.dependency_cycle(milestone=last, depends_on=[first]) == []
