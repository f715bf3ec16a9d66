"""The matrix page, its exports and its API twin select the same rows."""

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from clearinghouse.core.models import StakeholderGroup
from clearinghouse.matrix.models import MandateStatus
from tests.factories import (
    AreaFactory,
    InstitutionFactory,
    IssueFactory,
    MandateFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(reference_data):
    """Two areas, four issues, three institutions in two groups and regions."""
    from clearinghouse.core.models import Country

    infra, content = AreaFactory(slug="infra"), AreaFactory(slug="content")
    dns = IssueFactory(slug="dns", area=infra)
    ipv6 = IssueFactory(slug="ipv6", area=infra)
    spam = IssueFactory(slug="spam", area=content)
    IssueFactory(slug="orphan", area=content)
    itu = InstitutionFactory(slug="itu", headquarters=Country.objects.get(iso2="CH"))
    icann = InstitutionFactory(
        slug="icann",
        stakeholder_group=StakeholderGroup.TECHNICAL_COMMUNITY,
        kind="technical_community",
        headquarters=Country.objects.get(iso2="US"),
    )
    isoc = InstitutionFactory(
        slug="isoc",
        stakeholder_group=StakeholderGroup.CIVIL_SOCIETY,
        kind="civil_society",
        headquarters=Country.objects.get(iso2="US"),
    )
    MandateFactory(institution=icann, issue=dns, roles=["operations_coordination"])
    MandateFactory(
        institution=itu,
        issue=dns,
        roles=["standard_setting"],
        status=MandateStatus.PROPOSED,
    )
    MandateFactory(institution=itu, issue=ipv6, roles=["capacity_building"])
    MandateFactory(
        institution=isoc, issue=spam, roles=["advocacy_awareness", "capacity_building"]
    )
    MandateFactory(
        institution=itu, issue=spam, roles=["policy_norms"], status=MandateStatus.ENDED
    )


def _pairs_from_rows(rows):
    return {(row["issue"], row["institution"]) for row in rows}


def _page_pairs(client, query):
    response = client.get(f"/en/matrix/?{query}")
    assert response.status_code == 200
    pairs = {
        (entry.issue.slug, entry.institution.slug)
        for entry in response.context["matrix"].entries
    }
    html = response.content.decode()
    for issue, institution in pairs:
        assert f"/en/matrix/cell/{issue}/{institution}/" in html
    return pairs, html


def _csv_pairs(client, query):
    response = client.get(f"/en/matrix/export/csv/?{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    return _pairs_from_rows(rows)


def _xlsx_pairs(client, query):
    response = client.get(f"/en/matrix/export/xlsx/?{query}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    keys = rows[1]
    return _pairs_from_rows(dict(zip(keys, row, strict=True)) for row in rows[2:])


def _json_pairs(client, query):
    response = client.get(f"/en/matrix/export/json/?{query}")
    assert response.status_code == 200
    return _pairs_from_rows(json.loads(response.content))


def _api_pairs(client, query):
    response = client.get(f"/api/v1/matrix?{query}")
    assert response.status_code == 200, response.content
    return _pairs_from_rows(response.json()["rows"])


ALL = {
    ("dns", "icann"),
    ("dns", "itu"),
    ("ipv6", "itu"),
    ("spam", "isoc"),
    ("spam", "itu"),
}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ALL),
        ("area=infra", {("dns", "icann"), ("dns", "itu"), ("ipv6", "itu")}),
        ("group=civil_society", {("spam", "isoc")}),
        (
            "group=civil_society&group=technical_community",
            {("spam", "isoc"), ("dns", "icann")},
        ),
        ("region=150", {("dns", "itu"), ("ipv6", "itu"), ("spam", "itu")}),  # Europe
        ("region=021", {("dns", "icann"), ("spam", "isoc")}),  # Northern America
        ("role=capacity_building", {("ipv6", "itu"), ("spam", "isoc")}),
        ("status=proposed", {("dns", "itu")}),
        ("status=active&area=content", {("spam", "isoc")}),
        ("area=infra&role=standard_setting&status=proposed", {("dns", "itu")}),
    ],
)
def test_filters_give_the_same_rows_on_page_exports_and_api(
    client, sample, query, expected
):
    page, _html = _page_pairs(client, query)
    assert page == expected
    assert _csv_pairs(client, query) == expected
    assert _xlsx_pairs(client, query) == expected
    assert _json_pairs(client, query) == expected
    assert _api_pairs(client, query) == expected
    api_list = client.get(f"/api/v1/mandates?{query}")
    assert _pairs_from_rows(api_list.json()) == expected


def test_issue_rows_include_issues_without_matching_mandates(client, sample):
    response = client.get("/en/matrix/?area=content")
    rows = [row.issue.slug for row in response.context["matrix"].rows]
    assert rows == ["orphan", "spam"]
    api = client.get("/api/v1/matrix?area=content").json()
    assert api["issues"] == rows


def test_list_view_shows_the_same_cells_as_the_grid(client, sample):
    grid, _ = _page_pairs(client, "view=grid")
    response = client.get("/en/matrix/?view=list")
    assert response.status_code == 200
    html = response.content.decode()
    for issue, institution in grid:
        assert f"/en/matrix/cell/{issue}/{institution}/" in html


def test_many_institutions_turn_columns_into_stakeholder_group_counts(
    client, sample, settings
):
    settings.MATRIX_MAX_COLUMNS = 2
    response = client.get("/en/matrix/")
    assert response.context["summary"] is True
    matrix = response.context["matrix"]
    assert [code for code, _label, _n in matrix.groups] == [
        "civil_society",
        "technical_community",
        "intergovernmental",
    ]
    assert matrix.mandates == 5 and matrix.institutions == 3
    cells = {
        row.issue.slug: [(c.institutions, c.active, sorted(c.roles)) for c in row.cells]
        for row in matrix.rows
    }
    assert cells["dns"] == [
        (0, 0, []),
        (1, 1, ["operations_coordination"]),
        (1, 0, ["standard_setting"]),
    ]
    assert cells["spam"][0] == (1, 1, ["advocacy_awareness", "capacity_building"])
    assert cells["orphan"] == [(0, 0, []), (0, 0, []), (0, 0, [])]
    html = response.content.decode()
    assert "/en/issues/dns/#group-technical_community" in html
    issue_page = client.get("/en/issues/dns/").content.decode()
    assert 'id="group-technical_community"' in issue_page


def test_summary_counts_follow_the_filters(client, sample, settings):
    settings.MATRIX_MAX_COLUMNS = 0
    matrix = client.get("/en/matrix/?status=active").context["matrix"]
    assert matrix.mandates == 3
    rows = {row.issue.slug: row for row in matrix.rows}
    assert rows["orphan"].empty and not rows["spam"].empty
    assert client.get("/en/matrix/?area=nowhere").status_code == 400


def test_csv_export_defuses_spreadsheet_formulas(client, sample):
    from clearinghouse.actors.models import Institution

    Institution.objects.filter(slug="isoc").update(name_en="=HYPERLINK(1)")
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    "/en/matrix/export/csv/?group=civil_society"
                ).content.decode()
            )
        )
    )
    assert rows[0]["institution_name"] == "'=HYPERLINK(1)"


def test_summary_is_recomputed_after_any_change(client, sample, settings):
    from clearinghouse.matrix.models import Mandate, Role

    settings.MATRIX_MAX_COLUMNS = 0
    first = client.get("/en/matrix/").context["matrix"]
    assert first.mandates == 5
    mandate = Mandate.objects.get(issue__slug="ipv6", institution__slug="itu")
    # A role added without saving the mandate itself.
    mandate.roles.add(Role.objects.get(code="research_monitoring"))
    second = client.get("/en/matrix/").context["matrix"]
    ipv6 = next(row for row in second.rows if row.issue.slug == "ipv6")
    assert any("research_monitoring" in cell.roles for cell in ipv6.cells)
    Mandate.objects.filter(pk=mandate.pk).delete()
    third = client.get("/en/matrix/").context["matrix"]
    assert third.mandates == 4


def test_matrix_page_costs_the_same_queries_whatever_its_size(
    client, sample, django_assert_max_num_queries, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    small = count("/en/matrix/")
    for _ in range(30):
        MandateFactory(issue=IssueFactory(area=AreaFactory()))
    assert count("/en/matrix/") == small
    settings.MATRIX_MAX_COLUMNS = 0
    summary_small = count("/en/matrix/?status=proposed")
    for _ in range(30):
        MandateFactory(status=MandateStatus.PROPOSED)
    assert count("/en/matrix/?status=proposed") == summary_small


def test_concerns_on_an_issue_are_flagged_on_its_row(client, sample):
    from clearinghouse.taxonomy.models import Issue
    from tests.factories import ConcernFactory

    ConcernFactory(issue=Issue.objects.get(slug="orphan"))
    ConcernFactory(issue=Issue.objects.get(slug="orphan"))
    html = client.get("/fr/matrix/").content.decode()
    row = html.split('href="/fr/issues/orphan/"')[1].split("</th>")[0]
    assert "⚑" in row and "2 préoccupations" in row
    spam_row = html.split('href="/fr/issues/spam/"')[1].split("</th>")[0]
    assert "⚑" not in spam_row
