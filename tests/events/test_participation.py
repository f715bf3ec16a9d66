"""Participation: figures as sources report them, charts drawn on the server."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from clearinghouse.core.models import Country
from clearinghouse.events.models import Event, EventOfficial, ParticipationFigure
from tests.events.factories import EventFactory, FigureFactory

pytestmark = pytest.mark.django_db

FOOTNOTE_SHARES = (
    "About 35 per cent of participants represented governments (of which nearly 60 "
    "per cent were from developed countries and over 40 per cent were from developing "
    "countries and countries with economy in transition), 22 per cent were from civil "
    "society organizations and academia, 18 per cent – from the private sector, "
    "international organizations were represented by 14 per cent of participants, and "
    "the Internet community constituted 11 per cent of all registered participants."
)
FOOTNOTE_OFFICIALS = (
    "Out of fifteen officials (chair, moderator and rapporteur) of the breakout "
    "sessions, eight were from developing countries, five from developed countries, "
    "and two from international organizations."
)
FOOTNOTE_GROUPS = (
    "They represented the civil society and academia (eight), Internet community, the "
    "private sector and international organizations (two each) and government (one)."
)


def _rows(participation) -> dict[str, list[tuple[str, str]]]:
    found = {}
    for block in participation.blocks:
        if block.total:
            found[f"{block.population} total"] = [(block.label, block.total.text)]
        for breakdown in block.breakdowns:
            found[breakdown.title] = [
                (row.category, row.text) for row in breakdown.rows
            ]
    return found


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_forum_page_reproduces_the_footnote_figures(client, forum2004):
    forum = Event.objects.get(
        uid="global-forum-internet-governance-2004@forum2004.clearinghouse"
    )
    assert ParticipationFigure.objects.filter(event=forum).count() == 17
    response = client.get(f"/en/events/{forum.pk}/")
    assert response.status_code == 200
    rows = _rows(response.context["participation"])
    assert rows == {
        "participants total": [("Participants", "more than 300")],
        "Participants by stakeholder group": [
            ("Governments", "about 35 %"),
            ("Civil society and academia", "22 %"),
            ("Private sector", "18 %"),
            ("International organizations", "14 %"),
            ("Internet community", "11 %"),
        ],
        "Government participants by development status": [
            ("Developed countries", "nearly 60 %"),
            (
                "Developing countries and countries with economies in transition",
                "over 40 %",
            ),
        ],
        "officials total": [("Officials (chairs, moderators, rapporteurs)", "15")],
        "Officials (chairs, moderators, rapporteurs) by stakeholder group": [
            ("Civil society and academia", "8"),
            ("Internet community", "2"),
            ("Private sector", "2"),
            ("International organizations", "2"),
            ("Governments", "1"),
        ],
        "Officials (chairs, moderators, rapporteurs) by development status": [
            ("Developing countries", "8"),
            ("Developed countries", "5"),
            ("International organizations", "2"),
        ],
    }
    text = _text(response.content.decode())
    for sentence in (FOOTNOTE_SHARES, FOOTNOTE_OFFICIALS, FOOTNOTE_GROUPS):
        assert sentence in text
    assert "The Forum attracted participation of more than 300 representatives" in text
    assert "Shares of: Governments (about 35 %)." in text
    # A chart per breakdown, with its text alternative and a table beside it.
    html = response.content.decode()
    assert html.count('<svg role="img"') == 4
    assert "Governments: about 35 %; Civil society and academia: 22 %" in html
    bars = re.findall(r'<rect x="0" y="\d+" width="([\d.]+)"', html)
    assert bars[:5] == ["126.0", "79.2", "64.8", "50.4", "39.6"]  # 360 × share


def test_the_forum_figures_add_up_as_the_dataset_says(forum2004):
    forum = Event.objects.get(uid__startswith="global-forum-internet-governance-2004@")
    figures = {f.key: f for f in ParticipationFigure.objects.filter(event=forum)}
    shares = [
        f
        for f in figures.values()
        if f.share_of and f.share_of.key == "participants-total"
    ]
    assert sum(f.value for f in shares) == 100
    officials = figures["breakout-officials-total"]
    by_status = officials.parts.filter(dimension="development_status")
    by_group = officials.parts.filter(dimension="stakeholder_group")
    assert sum(f.value for f in by_status) == sum(f.value for f in by_group) == 15
    assert figures["participants-governments-developed"].share_of.key == (
        "participants-governments"
    )
    assert figures["participants-total"].qualifier == "more_than"


def test_breakdowns_by_status_and_region_follow_from_countries(client, reference_data):
    event = EventFactory()
    for key, iso2, value in (("fr", "FR", 10), ("sn", "SN", 5), ("ru", "RU", 5)):
        FigureFactory(
            event=event,
            key=key,
            dimension="country",
            country=Country.objects.get(iso2=iso2),
            value=value,
        )
    participation = client.get(f"/en/events/{event.pk}/").context["participation"]
    rows = _rows(participation)
    assert rows["Participants by development status"] == [
        ("Developed economy", "10 (50 %)"),
        ("Developing economy", "5 (25 %)"),
        ("Economy in transition", "5 (25 %)"),
    ]
    assert rows["Participants by region"] == [
        ("Africa", "5 (25 %)"),
        ("Europe", "15 (75 %)"),
    ]
    derived = participation.blocks[0].breakdowns[1]
    assert derived.derived and derived.note == "Computed from the figures by country."


def test_officials_are_counted_by_group_status_and_region(client, reference_data):
    event = EventFactory()
    for role, group, iso2 in (
        ("chair", "civil_society", "SN"),
        ("moderator", "private_sector", "FR"),
        ("rapporteur", "intergovernmental", None),
    ):
        EventOfficial.objects.create(
            event=event,
            role=role,
            stakeholder_group=group,
            country=Country.objects.get(iso2=iso2) if iso2 else None,
        )
    response = client.get(f"/en/events/{event.pk}/")
    breakdowns = {
        b.title: [(row.category, row.text) for row in b.rows]
        for b in response.context["participation"].official_breakdowns
    }
    label = "Officials (chairs, moderators, rapporteurs)"
    assert breakdowns[f"{label} by development status"] == [
        ("Developed economy", "1 (33.3 %)"),
        ("Developing economy", "1 (33.3 %)"),
        ("International organizations", "1 (33.3 %)"),
    ]
    assert ("Private sector", "1 (33.3 %)") in breakdowns[
        f"{label} by stakeholder group"
    ]
    html = response.content.decode()
    assert "Rapporteur" in html and "International organization" in html


def test_charts_mirror_on_arabic_pages(client, db):
    event = EventFactory()
    total = FigureFactory(event=event, key="all", value=200)
    FigureFactory(
        event=event,
        key="gov",
        dimension="stakeholder_group",
        category="governments",
        value=50,
        share_of=total,
    )
    html = client.get(f"/ar/events/{event.pk}/").content.decode()
    assert 'direction="rtl"' in html
    assert '<rect x="390.0" y="20" width="90.0"' in html  # 25 % of 360, from the right
    assert 'dir="rtl"' in html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"unit": "percent", "value": Decimal("120")}, "above 100 per cent"),
        ({"value": Decimal("-1")}, "greater than or equal to 0"),
        ({"dimension": "total", "category": "governments"}, "Name the category"),
        ({"dimension": "country"}, "Name the category"),
        ({"dimension": "stakeholder_group", "category": "developed"}, "not a category"),
        ({"source_quote": "", "source_url": ""}, "Give a source"),
        ({"qualifier": "roughly"}, "not a valid choice"),
    ],
)
def test_a_figure_the_source_cannot_support_is_refused(db, changes, message):
    figure = FigureFactory.build(event=EventFactory(), key="k", **changes)
    with pytest.raises(ValidationError) as error:
        figure.full_clean()
    assert message in str(error.value)


def test_a_figure_cannot_be_a_share_of_another_events_figure(db):
    other = FigureFactory()
    figure = FigureFactory.build(event=EventFactory(), key="k", share_of=other)
    with pytest.raises(ValidationError, match="only be part of another of its event"):
        figure.full_clean()


def test_participation_is_in_the_api(client, forum2004):
    forum = Event.objects.get(uid__startswith="global-forum-internet-governance-2004@")
    data = client.get(f"/api/v1/events/{forum.pk}/participation").json()
    figures = {f["key"]: f for f in data["figures"]}
    assert figures["participants-governments"]["text"] == "about 35 %"
    assert figures["participants-governments"]["value"] == 35
    assert figures["participants-governments-developed"]["share_of"] == (
        "participants-governments"
    )
    assert figures["breakout-officials-governments"]["category"] == "governments"
    assert figures["participants-total"]["source"]["quote"].startswith(
        "The Forum attracted"
    )
    assert client.get("/api/v1/events/999999/participation").status_code == 404
