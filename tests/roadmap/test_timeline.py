"""The road map's timeline: SVG drawn on the server, with a table beside it."""

import csv
import datetime
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from clearinghouse.roadmap import services
from clearinghouse.roadmap.models import Milestone, MilestoneStatus
from tests.factories import AreaFactory, InstitutionFactory, IssueFactory
from tests.roadmap.factories import MilestoneFactory

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def _many(count: int) -> None:
    """`count` milestones with every kind of span: ranges, points, open, unknown."""
    statuses = list(MilestoneStatus.values)
    milestones = []
    for n in range(count):
        start = datetime.date(2004, 1, 1) + datetime.timedelta(days=7 * n)
        kind = n % 5
        span = {
            0: (start, start + datetime.timedelta(days=30), None, None),
            1: (start, start, start, start),
            2: (None, start, start + datetime.timedelta(days=60), None),
            3: (start, None, None, start + datetime.timedelta(days=400)),
            4: (None, None, None, None),
        }[kind]
        milestones.append(
            Milestone(
                slug=f"m-{n}",
                title=f"Milestone “{n}” <of> & many",
                status=statuses[n % len(statuses)],
                earliest_start=span[0],
                latest_start=span[1],
                earliest_end=span[2],
                latest_end=span[3],
                source_quote="A quoted sentence.",
            )
        )
    Milestone.objects.bulk_create(milestones)


def _get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries.captured_queries)


def _svg(html: str) -> ET.Element:
    start = html.index("<svg")
    end = html.index("</svg>", start) + len("</svg>")
    return ET.fromstring(html[start:end])  # noqa: S314 - our own page


def test_timeline_renders_500_milestones_as_svg_in_a_fixed_number_of_queries(
    client, reference_data
):
    _many(5)
    _small, few = _get(client, "/en/roadmap/")
    Milestone.objects.all().delete()
    _many(500)
    response, many = _get(client, "/en/roadmap/")
    assert response.status_code == 200
    assert many == few
    html = response.content.decode()
    svg = _svg(html)
    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "group"  # it holds links: not an image
    assert svg.find(f"{SVG}title").text
    assert svg.find(f"{SVG}desc").text
    dated = Milestone.objects.exclude(
        earliest_start=None, latest_start=None, earliest_end=None, latest_end=None
    ).count()
    rows = svg.findall(f".//{SVG}a")
    assert len(rows) == dated == 400
    # The text alternative lists every milestone, dated or not.
    for n in (0, 4, 250, 499):
        assert f'href="/en/roadmap/m-{n}/"' in html.split('id="timeline-table"')[1]
    assert html.count('<tr><th scope="row">') == 500
    assert "have no known date" in html


def test_svg_is_well_formed_and_marks_points_ranges_and_open_ends(client, db):
    MilestoneFactory(slug="range", title="A range & more")
    MilestoneFactory(
        slug="point",
        earliest_start=datetime.date(2004, 3, 25),
        latest_start=datetime.date(2004, 3, 25),
        earliest_end=datetime.date(2004, 3, 25),
        latest_end=datetime.date(2004, 3, 25),
    )
    MilestoneFactory(
        slug="open",
        earliest_start=None,
        latest_start=datetime.date(2004, 3, 26),
        earliest_end=None,
        latest_end=None,
    )
    html = client.get("/en/roadmap/").content.decode()
    svg = _svg(html)
    by_href = {a.get("href"): a for a in svg.iter(f"{SVG}a")}
    assert by_href["/en/roadmap/range/"].findall(f"{SVG}rect")
    assert by_href["/en/roadmap/point/"].find(f"{SVG}path") is not None
    open_lines = by_href["/en/roadmap/open/"].findall(f"{SVG}line")
    assert len(open_lines) == 2  # start and end both unknown
    title = by_href["/en/roadmap/range/"].find(f"{SVG}title").text
    assert "A range & more" in title
    assert "between" in title


def test_arabic_timeline_runs_right_to_left(client, db):
    MilestoneFactory(slug="a")
    MilestoneFactory(
        slug="b",
        earliest_start=datetime.date(2005, 12, 1),
        latest_start=datetime.date(2005, 12, 2),
        earliest_end=datetime.date(2005, 12, 3),
        latest_end=datetime.date(2005, 12, 4),
    )
    response = client.get("/ar/roadmap/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'dir="rtl"' in html
    svg = _svg(html)
    assert svg.get("direction") == "rtl"
    rects = {
        a.get("href"): float(a.find(f"{SVG}rect").get("x")) for a in svg.iter(f"{SVG}a")
    }
    # Later dates stand further left.
    assert rects["/ar/roadmap/b/"] < rects["/ar/roadmap/a/"]
    english = _svg(client.get("/en/roadmap/").content.decode())
    assert english.get("direction") is None


def test_timeline_filters_by_issue_and_institution(client, db):
    spam = IssueFactory(slug="spam", area=AreaFactory())
    itu = InstitutionFactory(slug="itu")
    MilestoneFactory(slug="on-spam", issues=[spam])
    MilestoneFactory(slug="by-itu", institutions=[itu])
    MilestoneFactory(slug="other")

    def slugs(query):
        response = client.get(f"/en/roadmap/?{query}")
        assert response.status_code == 200
        return {m.slug for m in response.context["milestones"]}

    assert slugs("") == {"on-spam", "by-itu", "other"}
    assert slugs("issue=spam") == {"on-spam"}
    assert slugs("institution=itu") == {"by-itu"}
    assert slugs("issue=spam&institution=itu") == set()
    assert slugs("status=foreseen") == {"on-spam", "by-itu", "other"}


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("/en/roadmap/?issue=nowhere", "nowhere is not one of the available choices"),
        ("/en/roadmap/?institution=nobody", "nobody is not one of the available"),
        ("/en/roadmap/?status=lost", "lost is not one of the available choices"),
        ("/en/roadmap/due/?issue=nowhere", "nowhere is not one of"),
        ("/en/roadmap/slipped/?institution=nobody", "nobody is not one of"),
        ("/en/roadmap/due/?on=2004-13-45", "Enter a valid date"),
        ("/en/roadmap/export/csv/?issue=nowhere", "nowhere is not one of"),
        ("/en/roadmap/export/pdf/", "Unknown export format"),
    ],
)
def test_unknown_filter_value_is_a_400_that_names_it(client, db, url, needle):
    response = client.get(url)
    assert response.status_code == 400
    assert needle in response.content.decode()


def test_unknown_filter_value_is_explained_in_french(client, db):
    response = client.get("/fr/roadmap/?issue=nulle-part")
    assert response.status_code == 400
    html = response.content.decode()
    assert "nulle-part" in html
    assert "Sélectionnez un choix valide" in html


def test_unknown_milestone_is_a_404(client, db):
    assert client.get("/en/roadmap/nothing-here/").status_code == 404


def test_the_road_map_is_read_only(client, db):
    assert client.post("/en/roadmap/").status_code == 405


def test_due_lists_what_may_be_reached_in_the_next_90_days(client, db):
    day = datetime.date(2004, 4, 1)
    MilestoneFactory(
        slug="june",
        earliest_start=datetime.date(2004, 6, 15),
        latest_start=datetime.date(2004, 6, 30),
        earliest_end=datetime.date(2004, 6, 15),
        latest_end=datetime.date(2004, 6, 30),
    )
    MilestoneFactory(
        slug="start-only",
        earliest_start=datetime.date(2004, 5, 1),
        latest_start=None,
        earliest_end=None,
        latest_end=None,
    )
    MilestoneFactory(
        slug="late",
        earliest_end=datetime.date(2005, 1, 1),
        latest_end=datetime.date(2005, 2, 1),
    )
    MilestoneFactory(
        slug="reached",
        status=MilestoneStatus.REACHED,
        latest_start=datetime.date(2004, 4, 1),
        earliest_end=datetime.date(2004, 5, 1),
        latest_end=datetime.date(2004, 5, 1),
    )
    response = client.get(f"/en/roadmap/due/?on={day.isoformat()}")
    assert response.status_code == 200
    assert {m.slug for m in response.context["milestones"]} == {"june", "start-only"}
    assert "/en/roadmap/june/" in response.content.decode()
    today = client.get("/en/roadmap/due/")
    assert today.status_code == 200


def test_slipped_lists_marked_overdue_and_moved_milestones(client, db):
    MilestoneFactory(slug="marked", status=MilestoneStatus.SLIPPED)
    MilestoneFactory(slug="overdue", latest_end=datetime.date(2004, 12, 31))
    MilestoneFactory(
        slug="on-time",
        status=MilestoneStatus.REACHED,
        latest_end=datetime.date(2004, 12, 31),
    )
    moved = MilestoneFactory(
        slug="moved",
        status=MilestoneStatus.UNDER_WAY,
        latest_end=datetime.date(2006, 1, 1),
    )
    services.milestone_update(
        milestone=moved, latest_end=datetime.date(2007, 6, 30), reason="Postponed."
    )
    response = client.get("/en/roadmap/slipped/?on=2005-06-01")
    assert response.status_code == 200
    slipped = response.context["slipped"]
    assert [m.slug for m in slipped.marked] == ["marked"]
    assert {m.slug for m in slipped.overdue} == {"overdue"}
    assert [item.milestone.slug for item in slipped.moved] == ["moved"]
    assert "/en/roadmap/moved/#forecasts" in response.content.decode()


def test_exports_calendar_and_api_give_the_same_milestones_as_the_page(client, db):
    spam = IssueFactory(slug="spam", area=AreaFactory())
    MilestoneFactory(slug="on-spam", issues=[spam])
    MilestoneFactory(slug="other")
    for query, expected in (("", {"on-spam", "other"}), ("issue=spam", {"on-spam"})):
        page = client.get(f"/en/roadmap/?{query}").context["milestones"]
        assert {row.slug for row in page} == expected
        body = client.get(f"/en/roadmap/export/csv/?{query}").content.decode()
        assert {row["slug"] for row in csv.DictReader(io.StringIO(body))} == expected
        body = client.get(f"/en/roadmap/export/json/?{query}").content
        assert {row["slug"] for row in json.loads(body)} == expected
        assert client.get(f"/en/roadmap/export/xlsx/?{query}").status_code == 200
        api = client.get(f"/api/v1/milestones?{query}").json()
        assert {row["slug"] for row in api} == expected
        calendar = Calendar.from_ical(client.get(f"/roadmap.ics?{query}").content)
        assert len(calendar.walk("VEVENT")) == len(expected)
    row = client.get("/api/v1/milestones?issue=spam").json()[0]
    assert row["issues"] == ["spam"]
    assert row["earliest_start"] == "2004-04-01"
