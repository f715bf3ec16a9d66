"""The consensus map: answers by stakeholder group, agreement and divergence,
outcome shares, the ranking, the cache and the exports."""

import csv
import io

import pytest
from django.core.cache import cache

from clearinghouse.core.models import StakeholderGroup
from clearinghouse.filters import selectors, services
from clearinghouse.filters.models import Outcome
from tests.factories import IssueFactory

from .conftest import answers, make_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db, django_user_model):
    groups = [
        StakeholderGroup.GOVERNMENTS,
        StakeholderGroup.PRIVATE_SECTOR,
        StakeholderGroup.CIVIL_SOCIETY,
        StakeholderGroup.CIVIL_SOCIETY,
    ]
    return [
        make_verified(django_user_model, f"person{n}", group=group)
        for n, group in enumerate(groups)
    ]


def _assess(issue, user, **given):
    return services.assessment_create(
        issue=issue,
        by=user,
        stakeholder_group=user.profile.stakeholder_group,
        answers=answers(**given),
    )


def test_groups_answering_alike_agree(version, people):
    issue = IssueFactory()
    for user in people:
        _assess(issue, user, cross_border="yes", action_agreed="yes")
    result = selectors.consensus_map().issue(issue.pk)
    question = next(q for q in result.questions if q.key == "cross_border")
    assert [g.group for g in question.groups] == [
        "governments",
        "private_sector",
        "civil_society",
    ]
    assert question.groups[2].count("yes") == 2
    assert question.agreement == 1.0 and question.status == "agreed"
    assert result.status == "agreed"
    assert result.leading_outcome == Outcome.INTERNATIONAL_COOPERATION
    assert result.leading_share == 1.0


def test_groups_answering_yes_and_no_diverge(version, people):
    issue = IssueFactory()
    government, business, civil, _other = people
    _assess(issue, government, cross_border="yes", action_agreed="yes")
    _assess(issue, business, cross_border="yes", action_agreed="no")
    _assess(issue, civil, cross_border="yes", action_agreed="yes")
    result = selectors.consensus_map().issue(issue.pk)
    action = next(q for q in result.questions if q.key == "action_agreed")
    assert action.agreement == 0.0
    assert action.status == "divergent"
    assert result.status == "divergent"
    assert [q.key for q in result.divergent] == ["action_agreed"]
    assert result.share(Outcome.INTERNATIONAL_COOPERATION) == pytest.approx(2 / 3)
    assert result.outcomes[""] == 1


def test_a_group_split_within_itself_stands_at_partly(version, people):
    issue = IssueFactory()
    _government, _business, civil, other_civil = people
    _assess(issue, civil, cross_border="yes")
    _assess(issue, other_civil, cross_border="no")
    _assess(issue, people[0], cross_border="partly")
    question = selectors.consensus_map().issue(issue.pk).questions[0]
    civil_group = next(g for g in question.groups if g.group == "civil_society")
    assert civil_group.position == 0.5
    assert question.agreement == 1.0


def test_one_group_alone_is_not_called_agreement(version, people):
    issue = IssueFactory()
    _assess(issue, people[2], cross_border="yes")
    _assess(issue, people[3], cross_border="yes")
    result = selectors.consensus_map().issue(issue.pk)
    assert result.questions[0].status == "single"
    assert result.status == "single"


def test_dont_know_takes_no_position(version, people):
    issue = IssueFactory()
    _assess(issue, people[0], cross_border="yes")
    _assess(issue, people[1], cross_border="dont_know")
    question = selectors.consensus_map().issue(issue.pk).questions[0]
    business = next(g for g in question.groups if g.group == "private_sector")
    assert business.position is None
    assert question.status == "single"


def test_issues_needing_a_home_or_cooperation_are_ranked_by_agreement(version, people):
    agreed, split, elsewhere = IssueFactory(), IssueFactory(), IssueFactory()
    for user in people:
        _assess(
            agreed, user, cross_border="yes", action_agreed="yes", existing_bodies="no"
        )
    _assess(split, people[0], cross_border="yes", action_agreed="yes")
    _assess(split, people[1], cross_border="yes", action_agreed="yes")
    _assess(split, people[2], cross_border="no")
    _assess(elsewhere, people[0], cross_border="no")
    ranked = selectors.consensus_map().ranked
    assert [issue.pk for issue in ranked] == [agreed.pk, split.pk]
    assert ranked[0].leading_outcome == Outcome.NEEDS_A_HOME


def test_the_map_counts_only_current_assessments(version, people):
    issue = IssueFactory()
    _assess(issue, people[0], cross_border="no")
    _assess(issue, people[0], cross_border="yes", action_agreed="yes")
    result = selectors.consensus_map().issue(issue.pk)
    assert result.assessments == 1
    assert result.leading_outcome == Outcome.INTERNATIONAL_COOPERATION


def test_the_cached_map_follows_new_assessments(version, people):
    cache.clear()
    issue = IssueFactory()
    _assess(issue, people[0], cross_border="no")
    assert selectors.consensus_map_cached().assessments == 1
    _assess(issue, people[1], cross_border="no")
    assert selectors.consensus_map_cached().assessments == 2


def test_map_pages_show_charts_with_tables(client, version, people):
    issue = IssueFactory()
    _assess(issue, people[0], cross_border="yes", action_agreed="yes")
    _assess(issue, people[1], cross_border="yes", action_agreed="no")
    page = client.get("/en/filters/").content.decode()
    assert "<svg" in page and "<table" in page
    assert issue.name in page
    page = client.get(f"/en/filters/issues/{issue.slug}/").content.decode()
    assert page.count("<svg") == 2
    assert (
        '<th scope="row">International cooperation needed</th><td class="num">1</td>'
        in page
    )
    assert '<th scope="row">No outcome</th><td class="num">1</td>' in page
    assert "divergent" in page
    assert "Governments" in page and "Private sector" in page
    rtl = client.get(f"/ar/filters/issues/{issue.slug}/").content.decode()
    assert 'direction="rtl"' in rtl


def test_consensus_export_has_one_row_per_issue_question_and_group(
    client, version, people
):
    issue = IssueFactory()
    _assess(issue, people[0], cross_border="yes", action_agreed="yes")
    _assess(issue, people[1], cross_border="yes", action_agreed="no")
    response = client.get("/en/filters/export/consensus/csv/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    action = [r for r in rows if r["question"] == "action_agreed"]
    assert {r["stakeholder_group"] for r in action} == {"governments", "private_sector"}
    assert {r["status"] for r in action} == {"divergent"}
    assert len(rows) == 16  # 8 questions × 2 groups


def test_unknown_exports_are_refused(client, version):
    assert client.get("/en/filters/export/consensus/pdf/").status_code == 400
    assert client.get("/en/filters/export/nothing/csv/").status_code == 404


def test_an_empty_map_says_so(client, version):
    page = client.get("/en/filters/").content.decode()
    assert "No issue has been assessed yet." in page
