"""The three gap lists: no home, a single stakeholder group, possible duplication."""

import csv
import io

import pytest

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
def gaps_sample(reference_data):
    area = AreaFactory(slug="a")
    other_area = AreaFactory(slug="b")
    homeless = IssueFactory(slug="homeless", area=area)
    only_proposed = IssueFactory(slug="only-proposed", area=area)
    lonely = IssueFactory(slug="lonely", area=area)
    crowded = IssueFactory(slug="crowded", area=other_area)
    igos = [InstitutionFactory(slug=f"igo-{n}") for n in range(3)]
    ngo = InstitutionFactory(
        slug="ngo", stakeholder_group=StakeholderGroup.CIVIL_SOCIETY
    )
    MandateFactory(
        issue=only_proposed, institution=igos[0], status=MandateStatus.PROPOSED
    )
    MandateFactory(issue=lonely, institution=igos[0])
    MandateFactory(issue=lonely, institution=igos[1])
    for institution in igos:
        MandateFactory(
            issue=crowded,
            institution=institution,
            roles=["standard_setting", "policy_norms"],
        )
    MandateFactory(issue=crowded, institution=ngo, roles=["policy_norms"])
    return {"homeless": homeless}


def test_gaps_page_lists_each_kind_of_gap(client, gaps_sample):
    response = client.get("/en/matrix/gaps/")
    assert response.status_code == 200
    gaps = response.context["gaps"]
    assert [i.slug for i in gaps.no_home] == ["homeless", "only-proposed"]
    assert [(g.issue.slug, g.group) for g in gaps.single_group] == [
        ("lonely", "intergovernmental")
    ]
    assert [(d.issue.slug, d.role, len(d.institutions)) for d in gaps.duplication] == [
        ("crowded", "standard_setting", 3),
        ("crowded", "policy_norms", 4),
    ] or sorted(
        (d.issue.slug, d.role, len(d.institutions)) for d in gaps.duplication
    ) == [("crowded", "policy_norms", 4), ("crowded", "standard_setting", 3)]
    html = response.content.decode()
    assert "No institution has an active mandate on these issues." in html


def test_gap_filters_apply_to_page_export_and_api(client, gaps_sample):
    page = client.get("/en/matrix/gaps/?area=b").context["gaps"]
    assert page.no_home == [] and page.single_group == []
    assert {d.role for d in page.duplication} == {"standard_setting", "policy_norms"}
    api = client.get("/api/v1/gaps?area=b").json()
    assert {row["role"] for row in api["duplication"]} == {
        "standard_setting",
        "policy_norms",
    }
    exported = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    "/en/matrix/gaps/export/csv/?area=b&list=duplication"
                ).content.decode()
            )
        )
    )
    assert {row["role"] for row in exported} == {"standard_setting", "policy_norms"}
    # Without the civil society institution, policy_norms drops to three.
    api = client.get("/api/v1/gaps?area=b&group=intergovernmental").json()
    assert [len(row["institutions"]) for row in api["duplication"]] == [3, 3]


def test_no_home_export_lists_the_homeless_issues(client, gaps_sample):
    response = client.get("/en/matrix/gaps/export/json/?list=no_home")
    assert [row["issue"] for row in response.json()] == ["homeless", "only-proposed"]


def test_an_issue_gets_a_home_when_an_active_mandate_is_added(client, gaps_sample):
    MandateFactory(issue=gaps_sample["homeless"])
    gaps = client.get("/en/matrix/gaps/").context["gaps"]
    assert "homeless" not in [issue.slug for issue in gaps.no_home]
