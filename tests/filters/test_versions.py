"""Questions and rules are versioned: a change writes a new version and old
assessments keep showing the version they answered."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clearinghouse.core.models import StakeholderGroup
from clearinghouse.filters import selectors, services
from clearinghouse.filters.models import FilterVersion, Outcome
from tests.factories import IssueFactory

from .conftest import answers

pytestmark = pytest.mark.django_db

NEW_TEXT = "Does the issue cross national borders?"


def _assess(issue, user, **given):
    return services.assessment_create(
        issue=issue,
        by=user,
        stakeholder_group=StakeholderGroup.ACADEMIA,
        answers=answers(**given),
    )


def test_rewording_a_question_writes_a_new_version_and_old_assessments_keep_theirs(
    client, version, verified, secretariat
):
    issue = IssueFactory()
    old = _assess(issue, verified, cross_border="no")
    new_version = services.filter_version_revise(
        by=secretariat,
        note="Shorter wording",
        questions={"cross_border": {"text_en": NEW_TEXT}},
    )
    assert new_version.number == 2
    assert FilterVersion.objects.count() == 2
    assert version.questions.get(key="cross_border").text_en != NEW_TEXT
    assert new_version.questions.count() == version.questions.count()
    assert new_version.rules.count() == version.rules.count()

    old_page = client.get(f"/en/filters/assessments/{old.pk}/").content.decode()
    assert "Is the issue inherently cross-border" in old_page
    assert NEW_TEXT not in old_page
    assert "a newer version exists" in old_page

    newer = _assess(IssueFactory(), verified, cross_border="no")
    assert newer.version == new_version
    new_page = client.get(f"/en/filters/assessments/{newer.pk}/").content.decode()
    assert NEW_TEXT in new_page
    assert "a newer version exists" not in new_page


def test_changing_a_rule_changes_new_outcomes_only(version, verified, secretariat):
    old = _assess(IssueFactory(), verified, cross_border="no")
    services.filter_version_revise(
        by=secretariat,
        note="Within one jurisdiction: still international cooperation",
        rules={
            "within-one-jurisdiction": {"outcome": Outcome.INTERNATIONAL_COOPERATION}
        },
    )
    new = _assess(IssueFactory(), verified, cross_border="no")
    old.refresh_from_db()
    assert old.outcome == Outcome.NATIONAL_REGIONAL
    assert old.rule.version == version
    assert new.outcome == Outcome.INTERNATIONAL_COOPERATION
    assert new.rule.version.number == 2


def test_versions_page_shows_each_version(client, version, secretariat):
    services.filter_version_revise(
        by=secretariat,
        note="Reworded",
        questions={"cross_border": {"text_en": NEW_TEXT}},
    )
    assert NEW_TEXT in client.get("/en/filters/questions/").content.decode()
    first = client.get("/en/filters/questions/?version=1").content.decode()
    assert NEW_TEXT not in first and "An earlier version" in first
    assert client.get("/en/filters/questions/?version=9").status_code == 404
    assert client.get("/en/filters/questions/?version=x").status_code == 400


def test_a_revision_that_changes_nothing_is_refused(version, secretariat):
    text = version.questions.get(key="cross_border").text_en
    with pytest.raises(ValidationError, match="Nothing changed"):
        services.filter_version_revise(
            by=secretariat, note="n", questions={"cross_border": {"text_en": text}}
        )
    assert FilterVersion.objects.count() == 1


def test_a_rule_naming_an_unknown_question_is_refused(version, secretariat):
    with pytest.raises(ValidationError, match="not in the version"):
        services.filter_version_revise(
            by=secretariat,
            note="n",
            rules={"subsidiarity": {"conditions": {"nowhere": ["yes"]}}},
        )
    assert FilterVersion.objects.count() == 1


def test_only_the_secretariat_revises(version, verified):
    with pytest.raises(PermissionDenied):
        services.filter_version_revise(
            by=verified, note="n", questions={"cross_border": {"text_en": "x"}}
        )


def test_secretariat_edits_a_question_through_the_form(secretariat_client, version):
    url = "/en/filters/questions/cross_border/edit/"
    page = secretariat_client.get(url)
    assert page.status_code == 200
    assert 'name="text_fr"' in page.content.decode()
    response = secretariat_client.post(
        url,
        {
            "text_en": NEW_TEXT,
            "text_fr": "Traverse-t-elle les frontières ?",
            "note": "Shorter",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?version=2")
    assert selectors.current_version().questions.get(key="cross_border").text_fr == (
        "Traverse-t-elle les frontières ?"
    )


def test_secretariat_edits_a_rule_through_the_form(secretariat_client, version):
    url = "/en/filters/rules/subsidiarity/edit/"
    assert secretariat_client.get(url).status_code == 200
    response = secretariat_client.post(
        url,
        {
            "order": 3,
            "outcome": Outcome.NATIONAL_REGIONAL,
            "when_lower_level": ["yes", "partly"],
            "note": "Partly is enough",
        },
    )
    assert response.status_code == 302
    rule = selectors.current_version().rules.get(key="subsidiarity")
    assert rule.conditions == {"lower_level": ["yes", "partly"]}


def test_a_rule_form_with_no_condition_is_refused_with_a_message(
    secretariat_client, version
):
    response = secretariat_client.post(
        "/en/filters/rules/subsidiarity/edit/",
        {"order": 3, "outcome": Outcome.NATIONAL_REGIONAL, "note": "Always"},
    )
    assert response.status_code == 400
    assert "has no condition" in response.content.decode()
    assert FilterVersion.objects.count() == 1


def test_a_rule_form_taking_another_rules_place_is_refused(secretariat_client, version):
    response = secretariat_client.post(
        "/en/filters/rules/subsidiarity/edit/",
        {
            "order": 1,
            "outcome": Outcome.NATIONAL_REGIONAL,
            "when_lower_level": ["yes"],
            "note": "First",
        },
    )
    assert response.status_code == 400
    assert FilterVersion.objects.count() == 1


def test_participants_may_not_edit(client, version, verified):
    client.force_login(verified)
    response = client.get("/en/filters/questions/cross_border/edit/")
    assert response.status_code == 403
    assert "Only the secretariat" in response.content.decode()
    assert client.post("/en/filters/rules/subsidiarity/edit/", {}).status_code == 403
