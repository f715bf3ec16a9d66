"""Each rule of the first version: answers in, the outcome and the reason out."""

import pytest

from clearinghouse.core.models import StakeholderGroup
from clearinghouse.filters import selectors, services
from clearinghouse.filters.models import Outcome
from tests.factories import InstitutionFactory, IssueFactory, MandateFactory

from .conftest import answers

pytestmark = pytest.mark.django_db


def _assess(issue, user, **given):
    return services.assessment_create(
        issue=issue,
        by=user,
        stakeholder_group=StakeholderGroup.CIVIL_SOCIETY,
        answers=answers(**given),
    )


def _page(client, assessment) -> str:
    response = client.get(f"/en/filters/assessments/{assessment.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_cross_border_agreed_action_and_no_body_needs_a_home(client, version, verified):
    issue = IssueFactory()
    assessment = _assess(
        issue, verified, cross_border="yes", action_agreed="yes", existing_bodies="no"
    )
    assert assessment.outcome == Outcome.NEEDS_A_HOME
    assert assessment.rule.key == "needs-a-home"
    page = _page(client, assessment)
    assert "Outcome: Needs a home" in page
    assert "because" in page
    assert "1. Is the issue inherently cross-border" in page
    assert "2. Is it already dealt with by existing bodies? — No" in page
    assert "5. Do all stakeholders agree that concrete action is necessary? — Yes" in (
        page
    )
    assert "obvious forums" in page  # the rule's source sentence


def test_an_issue_within_one_jurisdiction_is_for_national_or_regional_action(
    client, version, verified
):
    assessment = _assess(IssueFactory(), verified, cross_border="no")
    assert assessment.outcome == Outcome.NATIONAL_REGIONAL
    assert assessment.rule.key == "within-one-jurisdiction"
    verdict = selectors.verdict_of(
        assessment, selectors.version_questions(assessment.version)
    )
    assert verdict.reason() == (
        "because 1. Is the issue inherently cross-border, or can it be handled "
        "within one jurisdiction? — No"
    )


def test_subsidiarity_leads_to_national_or_regional_action(client, version, verified):
    assessment = _assess(
        IssueFactory(), verified, cross_border="yes", lower_level="yes"
    )
    assert assessment.outcome == Outcome.NATIONAL_REGIONAL
    assert assessment.rule.key == "subsidiarity"
    assert "(subsidiarity)? — Yes" in _page(client, assessment)


def test_what_works_is_left_to_the_existing_bodies(client, version, verified):
    mandate = MandateFactory()
    assessment = _assess(
        mandate.issue,
        verified,
        cross_border="yes",
        existing_bodies="yes",
        arrangements_work="yes",
    )
    assert assessment.outcome == Outcome.LEAVE_TO_EXISTING
    page = _page(client, assessment)
    assert "Leave to the existing bodies" in page
    assert "if it ain’t broke, don’t fix it" in page
    assert "govern or regulate what already works" in page


def test_several_bodies_sharing_a_role_that_fall_short_need_coordination(
    client, version, verified
):
    issue = IssueFactory()
    first = MandateFactory(issue=issue, roles=["standard_setting"])
    MandateFactory(
        issue=issue, institution=InstitutionFactory(), roles=["standard_setting"]
    )
    assessment = _assess(
        issue,
        verified,
        cross_border="yes",
        action_agreed="yes",
        existing_bodies="partly",
        arrangements_work="no",
    )
    assert assessment.outcome == Outcome.IMPROVE_COORDINATION
    page = _page(client, assessment)
    assert "Improve coordination among existing bodies" in page
    assert "in the matrix several bodies shared a role" in page
    assert first.institution.short_name in page


def test_without_a_shared_role_failing_bodies_do_not_need_coordination(
    version, verified
):
    mandate = MandateFactory()
    assessment = _assess(
        mandate.issue,
        verified,
        cross_border="yes",
        action_agreed="yes",
        existing_bodies="yes",
        arrangements_work="no",
    )
    assert assessment.outcome == Outcome.INTERNATIONAL_COOPERATION


def test_cross_border_agreed_action_with_bodies_needs_international_cooperation(
    client, version, verified
):
    assessment = _assess(
        IssueFactory(), verified, cross_border="partly", action_agreed="yes"
    )
    assert assessment.outcome == Outcome.INTERNATIONAL_COOPERATION
    assert assessment.rule.key == "international-cooperation"
    page = _page(client, assessment)
    assert "International cooperation needed" in page
    assert "cross-border, or can it be handled within one jurisdiction? — Partly" in (
        page
    )


def test_answers_no_rule_meets_have_no_outcome(client, version, verified):
    assessment = _assess(IssueFactory(), verified, cross_border="yes")
    assert assessment.outcome == ""
    assert assessment.rule is None
    assert "No rule applies to these answers." in _page(client, assessment)


def test_the_reason_is_shown_in_the_readers_language(client, version, verified):
    assessment = _assess(IssueFactory(), verified, cross_border="no")
    page = client.get(f"/fr/filters/assessments/{assessment.pk}/").content.decode()
    assert "Action nationale ou régionale" in page
    assert "juridiction" in page  # the question's French wording
