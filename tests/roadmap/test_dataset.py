"""The road-map part of the Forum 2004 dataset: every proposal and the milestones
the summary names, each with its sentence; loading twice changes nothing."""

import datetime
import re
import shutil
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from clearinghouse.events.models import Event
from clearinghouse.roadmap.dataset import FOOTNOTE, event_uid
from clearinghouse.roadmap.models import (
    Forecast,
    Milestone,
    Proposal,
    ProposalStatus,
    ProposalUpdate,
)

pytestmark = pytest.mark.django_db

DATASET = Path(__file__).resolve().parents[2] / "data" / "forum2004"
SUMMARY = re.sub(r"\s+", " ", (DATASET / "summary.txt").read_text(encoding="utf-8"))
D = datetime.date


def _counts():
    return {
        model.__name__: (model.objects.count(), model.history.count())
        for model in (Milestone, Proposal, ProposalUpdate, Forecast)
    } | {
        "relations": (
            Milestone.depends_on.through.objects.count(),
            Milestone.proposals.through.objects.count(),
            Milestone.issues.through.objects.count(),
            Proposal.addressed_to.through.objects.count(),
        )
    }


def test_every_proposal_and_named_milestone_is_loaded_with_its_sentence(forum2004):
    assert Proposal.objects.count() == 43
    assert FOOTNOTE in SUMMARY
    for proposal in Proposal.objects.prefetch_related("updates"):
        assert proposal.source_quote in SUMMARY, proposal.slug
        assert proposal.text == proposal.source_quote
        assert proposal.status == ProposalStatus.PROPOSED
        (first,) = proposal.updates.all()
        assert first.date == D(2004, 3, 26)
        assert first.status == ProposalStatus.PROPOSED
        assert first.source_quote == FOOTNOTE
    milestones = {m.slug: m for m in Milestone.objects.all()}
    assert len(milestones) == 18
    for milestone in milestones.values():
        assert milestone.source_quote in SUMMARY, milestone.slug
        if milestone.source_url:
            assert milestone.source_title
    for slug in (
        "wgig-established",
        "task-force-on-funding-established",
        "wgig-secretariat-established",
        "wsis-tunis-prepcom-1",
        "wsis-tunis-phase",
        "un-ict-task-force-mandate-to-end-2005",
        "forum-report-submitted",
        "ipv6-deployment",
        "icann-reform",
        "multilingual-internet-names",
    ):
        assert slug in milestones
    head = milestones["wgig-secretariat-head-appointed"]
    assert head.span == (D(2004, 3, 25),) * 4
    assert head.status == "reached"
    prepcom = milestones["wsis-tunis-prepcom-1"]
    assert prepcom.span == (
        D(2004, 6, 15),
        D(2004, 6, 30),
        D(2004, 6, 15),
        D(2004, 6, 30),
    )
    assert milestones["un-ict-task-force-mandate-to-end-2005"].latest_end == D(
        2005, 12, 31
    )
    assert (
        "sooner than commonly thought"
        in milestones["multilingual-internet-names"].source_quote
    )
    assert list(
        milestones["wgig-established"].depends_on.values_list("slug", flat=True)
    ) == ["ig-consultations-launched"]
    assert set(
        milestones["wsis-tunis-phase"].depends_on.values_list("slug", flat=True)
    ) == {"wsis-tunis-prepcom-1", "wgig-conclusions-submitted"}
    assert (
        milestones["ipv6-deployment"].proposals.get().slug == "foster-ipv6-deployment"
    )
    assert milestones["wgig-established"].institutions.filter(slug="wgig").exists()
    assert Milestone.objects.exclude(issues=None).count() >= 10


def test_itu_view_lists_exactly_the_proposals_addressed_to_itu(client, forum2004):
    expected = set(
        Proposal.objects.filter(addressed_to__slug="itu").values_list("slug", flat=True)
    )
    assert expected == {"itu-interconnection-agreements"}
    response = client.get("/en/proposals/?addressed_to=itu")
    assert {p.slug for p in response.context["proposals"]} == expected
    html = response.content.decode()
    assert "What was asked of ITU" in html
    api = client.get("/api/v1/proposals?addressed_to=itu").json()
    assert {row["slug"] for row in api} == expected
    # Every page of the dataset renders, in a right-to-left language too.
    for slug in Proposal.objects.values_list("slug", flat=True):
        assert client.get(f"/ar/proposals/{slug}/").status_code == 200
    for slug in Milestone.objects.values_list("slug", flat=True):
        assert client.get(f"/ar/roadmap/{slug}/").status_code == 200
    for url in (
        "/zh-hans/roadmap/",
        "/fr/roadmap/due/?on=2004-04-01",
        "/ru/roadmap/slipped/",
    ):
        assert client.get(url).status_code == 200, url


def test_loading_twice_changes_nothing(forum2004, capsys):
    before = _counts()
    capsys.readouterr()
    call_command("load_forum2004")
    out = capsys.readouterr().out
    assert _counts() == before
    for kind in ("milestones", "proposals", "proposal follow-ups"):
        assert f"{kind}: 0 created, 0 updated" in out


def test_events_are_related_where_the_events_app_made_them(reference_data):
    """An event made by the events step is related; a missing one is skipped."""
    call_command("load_forum2004", verbosity=0)
    tunis = Milestone.objects.get(slug="wsis-tunis-prepcom-1")
    made = set(Event.objects.values_list("uid", flat=True))
    assert {e.uid for e in tunis.events.all()} == made & {
        event_uid("wsis-tunis-prepcom-1")
    }
    if event_uid("un-ict-task-force-sixth-meeting") not in made:
        Event.objects.create(
            uid=event_uid("un-ict-task-force-sixth-meeting"),
            title="Sixth Meeting of the United Nations ICT Task Force",
            kind="working_group_meeting",
            start="2004-03-27T00:00:00Z",
            end="2004-03-27T23:59:59Z",
            source_quote="Sixth Meeting",
        )
    call_command("load_forum2004", verbosity=0)
    sixth = Milestone.objects.get(slug="task-force-sixth-meeting-recommendations")
    assert [e.uid for e in sixth.events.all()] == [
        event_uid("un-ict-task-force-sixth-meeting")
    ]


@pytest.fixture
def broken_copy(tmp_path):
    target = tmp_path / "forum2004"
    shutil.copytree(DATASET, target)
    return target


def _edit(path: Path, change) -> None:
    records = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(records)
    path.write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")


def _by_slug(records, slug):
    return next(record for record in records if record["slug"] == slug)


def test_a_dependency_cycle_in_the_dataset_stops_the_load(reference_data, broken_copy):
    _edit(
        broken_copy / "milestones.yaml",
        lambda r: _by_slug(r, "ig-consultations-launched").update(
            depends_on=["wsis-tunis-phase"]
        ),
    )
    with pytest.raises(CommandError) as error:
        call_command("load_forum2004", data_dir=str(broken_copy))
    assert "milestones.yaml" in str(error.value)
    assert "cycle" in str(error.value)
    assert not Milestone.objects.exists()


def test_a_new_span_in_the_dataset_keeps_the_old_forecast(reference_data, broken_copy):
    call_command("load_forum2004", data_dir=str(broken_copy), verbosity=0)
    _edit(
        broken_copy / "milestones.yaml",
        lambda r: _by_slug(r, "wsis-tunis-prepcom-1").update(
            earliest_start="2004-06-24", latest_start="2004-06-24"
        ),
    )
    call_command("load_forum2004", data_dir=str(broken_copy), verbosity=0)
    forecast = Forecast.objects.get(milestone__slug="wsis-tunis-prepcom-1")
    assert forecast.earliest_start == D(2004, 6, 15)
    assert forecast.reason == "Forum 2004 dataset"


def test_a_quote_not_in_the_summary_is_refused(reference_data, broken_copy):
    _edit(
        broken_copy / "milestones.yaml",
        lambda r: r[0].update(source={"quote": "The Forum abolished spam."}),
    )
    with pytest.raises(CommandError, match="source quote is not in the summary"):
        call_command("load_forum2004", data_dir=str(broken_copy))
