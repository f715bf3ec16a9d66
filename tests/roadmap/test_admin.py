"""The secretariat curates milestones, forecasts, proposals and follow-ups in the
admin, under the same rules as the services."""

import datetime

import pytest
from django.contrib import admin

from clearinghouse.roadmap.models import (
    Forecast,
    Milestone,
    Proposal,
    ProposalStatus,
    ProposalUpdate,
)
from tests.roadmap.factories import (
    MilestoneFactory,
    ProposalFactory,
    ProposalUpdateFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(db):
    a = MilestoneFactory(slug="a", title="Consultations")
    b = MilestoneFactory(slug="b", title="Working group", depends_on=[a])
    proposal = ProposalFactory(slug="p")
    ProposalUpdateFactory(proposal=proposal)
    Forecast.objects.create(milestone=b, reason="Moved.", latest_end=b.latest_end)
    return {"a": a, "b": b, "proposal": proposal}


def _roadmap_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label == "roadmap"
    ]


def test_earlier_forecasts_cannot_be_edited_in_the_admin(secretariat_client, records):
    forecast = Forecast.objects.get()
    url = f"/admin/roadmap/forecast/{forecast.pk}/change/"
    assert secretariat_client.get(url).status_code == 200
    secretariat_client.post(url, {"reason": "Rewritten."})
    forecast.refresh_from_db()
    assert forecast.reason == "Moved."


def test_every_roadmap_model_has_an_admin_with_search_and_filters():
    models = {model for model, _admin in _roadmap_admins()}
    assert models == {Milestone, Forecast, Proposal, ProposalUpdate}
    for model, model_admin in _roadmap_admins():
        assert model_admin.search_fields, model
        assert model_admin.list_filter, model


def test_every_admin_page_renders(secretariat_client, records):
    for model, _model_admin in _roadmap_admins():
        base = f"/admin/roadmap/{model._meta.model_name}/"
        assert secretariat_client.get(base).status_code == 200, base
        assert secretariat_client.get(base + "?q=working").status_code == 200, base
        add = secretariat_client.get(base + "add/").status_code
        assert add == (403 if model is Forecast else 200), base
        obj = model.objects.first()
        for page in ("change", "history"):
            url = f"{base}{obj.pk}/{page}/"
            assert secretariat_client.get(url).status_code == 200, url


def _milestone_form(milestone, **changes):
    data = {
        "slug": milestone.slug,
        "title_en": milestone.title_en,
        "status": milestone.status,
        "earliest_start": milestone.earliest_start or "",
        "latest_start": milestone.latest_start or "",
        "earliest_end": milestone.earliest_end or "",
        "latest_end": milestone.latest_end or "",
        "source_quote": milestone.source_quote,
        "depends_on": [m.pk for m in milestone.depends_on.all()],
        "forecasts-TOTAL_FORMS": "0",
        "forecasts-INITIAL_FORMS": "0",
        "forecasts-MIN_NUM_FORMS": "0",
        "forecasts-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_admin_span_change_needs_a_reason_and_keeps_the_old_forecast(
    secretariat_client, records
):
    a = records["a"]
    url = f"/admin/roadmap/milestone/{a.pk}/change/"
    response = secretariat_client.post(url, _milestone_form(a, latest_end="2005-06-30"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Say why the expected time span changes." in html
    assert not Forecast.objects.filter(milestone=a).exists()
    response = secretariat_client.post(
        url,
        _milestone_form(a, latest_end="2005-06-30", change_reason="Postponed."),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    forecast = Forecast.objects.get(milestone=a)
    assert forecast.latest_end == datetime.date(2004, 12, 31)
    assert forecast.reason == "Postponed."
    assert forecast.replaced_by.username == "curator"
    a.refresh_from_db()
    assert a.latest_end == datetime.date(2005, 6, 30)


def test_admin_refuses_a_dependency_cycle(secretariat_client, records):
    a, b = records["a"], records["b"]
    url = f"/admin/roadmap/milestone/{a.pk}/change/"
    response = secretariat_client.post(url, _milestone_form(a, depends_on=[b.pk]))
    assert response.status_code == 200
    assert "would make a cycle: a → b → a" in response.content.decode()
    assert not a.depends_on.exists()


def test_admin_follow_up_sets_the_proposal_status(secretariat_client, records):
    proposal = records["proposal"]
    response = secretariat_client.post(
        "/admin/roadmap/proposalupdate/add/",
        {
            "proposal": proposal.pk,
            "date": "2004-04-02",
            "status": "implemented",
            "note_en": "Done.",
            "source_url": "https://example.org/done",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.IMPLEMENTED
    update = ProposalUpdate.objects.get(date="2004-04-02")
    assert update.created_by.username == "curator"
    secretariat_client.post(
        f"/admin/roadmap/proposalupdate/{update.pk}/delete/", {"post": "yes"}
    )
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.PROPOSED
