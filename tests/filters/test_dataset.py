"""The seeded assessments: sourced, checked against the summary, idempotent."""

import shutil

import pytest
from django.core.management import call_command

from clearinghouse.datasets.forum2004 import DatasetError, dataset_read
from clearinghouse.filters import selectors
from clearinghouse.filters.models import Assessment, FilterVersion, Outcome
from tests.conftest import DATA_DIR

pytestmark = pytest.mark.django_db


def test_the_seeded_map_shows_spam_as_agreed_international_cooperation(
    client, forum2004
):
    spam = selectors.consensus_map().issues
    spam = next(issue for issue in spam if issue.slug == "spam")
    assert spam.leading_outcome == Outcome.INTERNATIONAL_COOPERATION
    assert spam.leading_share == 1.0
    assert spam.status == "agreed"
    assert "spam" in [issue.slug for issue in selectors.consensus_map().ranked]
    assessment = Assessment.objects.get(origin_key="forum2004:spam")
    action = assessment.answers.get(key="action_agreed")
    assert action.value == "yes"
    assert action.source_quote == (
        "It was agreed that this problem requires urgent, coordinated action and "
        "international cooperation."
    )
    page = client.get(f"/en/filters/assessments/{assessment.pk}/").content.decode()
    assert "requires urgent, coordinated action" in page
    assert "Global Forum on Internet Governance" in page


def test_the_seeded_map_shows_icanns_role_divergent_between_groups(client, forum2004):
    issue = next(
        i
        for i in selectors.consensus_map().issues
        if i.slug == "domain-names-and-ip-addresses"
    )
    assert issue.status == "divergent"
    works = next(q for q in issue.questions if q.key == "arrangements_work")
    assert works.status == "divergent"
    positions = {g.group: g.position for g in works.groups}
    assert positions == {"technical_community": 1.0, "civil_society": 0.0}
    civil = Assessment.objects.get(origin_key="forum2004:icann-role-civil-society")
    assert (
        "representatives from civil society"
        in civil.answers.get(key="arrangements_work").source_quote
    )
    page = client.get("/en/filters/issues/domain-names-and-ip-addresses/").content
    assert b"divergent" in page


def test_every_seeded_answer_that_takes_a_position_quotes_the_summary(forum2004):
    summary = " ".join((DATA_DIR / "forum2004" / "summary.txt").read_text().split())
    for assessment in Assessment.objects.prefetch_related("answers"):
        for answer in assessment.answers.all():
            if answer.value != "dont_know":
                assert answer.source_quote, (assessment.origin_key, answer.key)
            if answer.source_quote:
                assert answer.source_quote in summary


def test_loading_twice_writes_nothing_new(forum2004):
    versions = FilterVersion.objects.count()
    ids = sorted(Assessment.objects.values_list("pk", flat=True))
    call_command("load_forum2004", verbosity=0)
    assert FilterVersion.objects.count() == versions == 1
    assert sorted(Assessment.objects.values_list("pk", flat=True)) == ids


def test_a_quote_not_in_the_summary_is_refused(tmp_path, reference_data):
    data = tmp_path / "forum2004"
    shutil.copytree(DATA_DIR / "forum2004", data)
    path = data / "filter_assessments.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "It was agreed that this problem requires urgent",
            "It was agreed that this problem requires immediate",
        ),
        encoding="utf-8",
    )
    with pytest.raises(DatasetError) as caught:
        dataset_read(data)
    assert any(
        "filter_assessments" in p and "not in the summary" in p
        for p in caught.value.problems
    )


def test_an_unknown_question_in_a_rule_is_refused(tmp_path, reference_data):
    data = tmp_path / "forum2004"
    shutil.copytree(DATA_DIR / "forum2004", data)
    path = data / "filter_rules.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("lower_level:", "lowest_level:"),
        encoding="utf-8",
    )
    with pytest.raises(DatasetError) as caught:
        dataset_read(data)
    assert any("unknown question 'lowest_level'" in p for p in caught.value.problems)
