"""Assessing an issue: who may, the matrix pre-fill, half-filled and
contradictory answers (clear messages, never a 500), supersession, privacy."""

import pytest
from django.core.exceptions import PermissionDenied

from clearinghouse.core.models import StakeholderGroup
from clearinghouse.filters import services
from clearinghouse.filters.models import AnswerRecord, Assessment
from tests.factories import IssueFactory, MandateFactory

from .conftest import answers, make_verified

pytestmark = pytest.mark.django_db


def _form_data(group="civil_society", **given) -> dict:
    data = {"stakeholder_group": group}
    for key, answer in answers(**given).items():
        data[f"answer_{key}"] = answer["value"]
        data[f"rationale_{key}"] = answer["rationale"]
    return data


def test_the_form_prefills_existing_bodies_from_the_matrix(client, version, verified):
    mandate = MandateFactory(roles=["standard_setting", "policy_norms"])
    client.force_login(verified)
    page = client.get(
        f"/en/filters/issues/{mandate.issue.slug}/assess/"
    ).content.decode()
    assert 'name="answer_existing_bodies" value="yes"' in page
    assert 'value="yes" id="id_answer_existing_bodies_0" checked' in page or (
        "checked" in page.split('name="answer_existing_bodies" value="yes"')[1][:60]
    )
    assert (
        f"The matrix lists these active mandates: {mandate.institution.short_name}"
        in (page)
    )
    assert "Standard setting" in page


def test_a_verified_participant_assesses_through_the_form(client, version, verified):
    issue = IssueFactory()
    client.force_login(verified)
    response = client.post(
        f"/en/filters/issues/{issue.slug}/assess/",
        _form_data(cross_border="no"),
    )
    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert assessment.author == verified
    assert assessment.stakeholder_group == StakeholderGroup.CIVIL_SOCIETY
    assert assessment.answers.count() == 8


def test_no_body_while_the_matrix_lists_mandates_is_a_named_conflict(
    client, version, verified
):
    mandate = MandateFactory()
    client.force_login(verified)
    response = client.post(
        f"/en/filters/issues/{mandate.issue.slug}/assess/",
        _form_data(existing_bodies="no"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "no existing body deals with the issue, but the matrix lists 1 active" in (
        page
    )
    assert mandate.institution.short_name in page
    assert Assessment.objects.count() == 0


def test_the_conflict_is_explained_in_the_users_language(client, version, verified):
    mandate = MandateFactory()
    client.force_login(verified)
    response = client.post(
        f"/fr/filters/issues/{mandate.issue.slug}/assess/",
        _form_data(existing_bodies="no"),
    )
    assert response.status_code == 400
    assert "aucun organisme existant" in response.content.decode()


def test_a_half_filled_assessment_names_the_missing_questions(
    client, version, verified
):
    issue = IssueFactory()
    client.force_login(verified)
    data = _form_data(cross_border="yes")
    del data["answer_lower_level"]
    data["rationale_cross_border"] = ""
    response = client.post(f"/en/filters/issues/{issue.slug}/assess/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Question 4 (“Can it be handled at a lower level" in page
    assert "has no answer" in page
    assert "Question 1: give the rationale for your answer “Yes”" in page
    assert Assessment.objects.count() == 0


def test_one_jurisdiction_and_no_lower_level_contradict_each_other(version, verified):
    with pytest.raises(Exception) as caught:
        services.assessment_create(
            issue=IssueFactory(),
            by=verified,
            stakeholder_group="academia",
            answers=answers(cross_border="no", lower_level="no"),
        )
    assert "Questions 1 and 4 contradict each other" in str(caught.value)


def test_bodies_the_matrix_does_not_list_need_a_source(version, verified):
    issue = IssueFactory()
    given = answers(existing_bodies="yes")
    with pytest.raises(Exception, match="matrix lists no active mandate"):
        services.assessment_create(
            issue=issue, by=verified, stakeholder_group="academia", answers=given
        )
    given["existing_bodies"]["source_urls"] = ["https://example.org/mandate"]
    assessment = services.assessment_create(
        issue=issue, by=verified, stakeholder_group="academia", answers=given
    )
    assert assessment.answers.get(key="existing_bodies").source_urls == [
        "https://example.org/mandate"
    ]


def test_bad_source_addresses_are_refused(client, version, verified):
    issue = IssueFactory()
    client.force_login(verified)
    data = _form_data(cross_border="no")
    data["sources_cross_border"] = "javascript:alert(1)"
    response = client.post(f"/en/filters/issues/{issue.slug}/assess/", data)
    assert response.status_code == 400
    assert "is not a web address" in response.content.decode()


def test_a_stakeholder_group_must_be_declared(client, version, verified):
    issue = IssueFactory()
    client.force_login(verified)
    response = client.post(
        f"/en/filters/issues/{issue.slug}/assess/",
        _form_data(group="", cross_border="no"),
    )
    assert response.status_code == 400
    assert "Declare your stakeholder group." in response.content.decode()


def test_unverified_accounts_may_not_assess(client, version, participant):
    issue = IssueFactory()
    client.force_login(participant)
    response = client.get(f"/en/filters/issues/{issue.slug}/assess/")
    assert response.status_code == 403
    assert "verified e-mail address" in response.content.decode()
    with pytest.raises(PermissionDenied):
        services.assessment_create(
            issue=issue, by=participant, stakeholder_group="academia", answers=answers()
        )


def test_anonymous_visitors_are_asked_to_sign_in(client, version):
    issue = IssueFactory()
    assert client.get(f"/en/filters/issues/{issue.slug}/assess/").status_code == 403
    assert (
        client.post(f"/en/filters/issues/{issue.slug}/assess/", {}).status_code == 403
    )


def test_secretariat_records_a_meeting_position(secretariat_client, version):
    issue = IssueFactory()
    data = _form_data(group="", cross_border="no")
    data["on_behalf_of"] = "Regional workshop, Dakar"
    response = secretariat_client.post(f"/en/filters/issues/{issue.slug}/assess/", data)
    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert assessment.on_behalf_of == "Regional workshop, Dakar"
    page = secretariat_client.get(response["Location"]).content.decode()
    assert "The meeting as a whole" in page and "Regional workshop, Dakar" in page


def test_only_the_secretariat_records_for_a_meeting(version, verified):
    with pytest.raises(PermissionDenied):
        services.assessment_create(
            issue=IssueFactory(),
            by=verified,
            stakeholder_group="academia",
            answers=answers(cross_border="no"),
            on_behalf_of="A meeting",
        )


def test_a_new_assessment_replaces_the_authors_earlier_one(version, verified):
    issue = IssueFactory()
    first = services.assessment_create(
        issue=issue,
        by=verified,
        stakeholder_group="academia",
        answers=answers(cross_border="no"),
    )
    second = services.assessment_create(
        issue=issue,
        by=verified,
        stakeholder_group="academia",
        answers=answers(lower_level="yes"),
    )
    first.refresh_from_db()
    assert not first.is_current and second.is_current
    assert list(Assessment.objects.current()) == [second]


def test_removing_the_latest_assessment_restores_the_earlier_one(
    version, verified, secretariat
):
    issue = IssueFactory()
    first = services.assessment_create(
        issue=issue,
        by=verified,
        stakeholder_group="academia",
        answers=answers(cross_border="no"),
    )
    second = services.assessment_create(
        issue=issue,
        by=verified,
        stakeholder_group="academia",
        answers=answers(cross_border="no"),
    )
    services.assessment_delete(assessment=second, by=secretariat)
    first.refresh_from_db()
    assert first.is_current
    assert AnswerRecord.objects.filter(assessment=first).count() == 8


def test_names_are_shown_only_with_consent(
    client, version, verified, django_user_model
):
    issue = IssueFactory()
    consenting = make_verified(
        django_user_model, "bruno", group="private_sector", show_name=True
    )
    for user in (verified, consenting):
        services.assessment_create(
            issue=issue,
            by=user,
            stakeholder_group=user.profile.stakeholder_group,
            answers=answers(cross_border="no"),
        )
    page = client.get(f"/en/filters/issues/{issue.slug}/").content.decode()
    assert "Bruno Example" in page
    assert "Amina" not in page
    assert "Civil society" in page and "Private sector" in page
    csv = client.get("/en/filters/export/assessments/csv/").content.decode()
    assert "Bruno Example" in csv and "Amina" not in csv


def test_issue_and_cell_pages_show_the_latest_outcome(client, version, verified):
    mandate = MandateFactory()
    issue = mandate.issue
    assert (
        "Not yet put through the governance filters."
        in client.get(f"/en/issues/{issue.slug}/").content.decode()
    )
    services.assessment_create(
        issue=issue,
        by=verified,
        stakeholder_group="academia",
        answers=answers(existing_bodies="yes", arrangements_work="yes"),
    )
    for url in (
        f"/en/issues/{issue.slug}/",
        f"/en/matrix/cell/{issue.slug}/{mandate.institution.slug}/",
    ):
        page = client.get(url).content.decode()
        assert "Latest filter outcome: Leave to the existing bodies" in page, url
