"""A participant's whole path through HTTP: sign up, verify, answer, vote;
a moderator approves; the synthesis counts it all."""

import re
from html.parser import HTMLParser

import pytest
from django.core import mail

from clearinghouse.consultations.models import (
    Contribution,
    QuestionKind,
    Status,
    Vote,
)
from clearinghouse.core.models import Country

from .conftest import guard, question_of

pytestmark = pytest.mark.django_db

ARABIC_ANSWER = (
    "يجب أن تكون المشاورات متاحة بجميع اللغات الرسمية حتى تتمكن البلدان النامية "
    "من المشاركة الكاملة في حوكمة الإنترنت."
)


class _Text(HTMLParser):
    """The text of the element with a given id."""

    def __init__(self, ident):
        super().__init__()
        self.ident, self.depth, self.text = ident, 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += 1
        elif dict(attrs).get("id") == self.ident:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)


def text_of(html: str, ident: str) -> str:
    parser = _Text(ident)
    parser.feed(html)
    return "".join(parser.text).strip()


def test_sign_up_verify_answer_vote_moderate_and_synthesis(
    client,
    consultation,
    secretariat,
    make_participant,
    django_capture_on_commit_callbacks,
):
    def post(url, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    egypt = Country.objects.get(iso2="EG")
    response = post(
        "/ar/accounts/signup/",
        {
            "username": "amina",
            "email": "amina@example.org",
            "password1": "a-Long-pass-phrase-42",
            "password2": "a-Long-pass-phrase-42",
            "stakeholder_group": "civil_society",
            "country": egypt.pk,
            "organization": "",
            **guard(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/verify/\S+/", mail.outbox[0].body).group(0)

    # Not verified yet: taking part is refused, nothing stored.
    open_question = question_of(consultation, QuestionKind.OPEN)
    url = f"/ar/consultations/access/questions/{open_question.pk}/contribute/"
    assert post(url, {"body": ARABIC_ANSWER, **guard()}).status_code == 403
    assert not Contribution.objects.exists()

    assert client.get(link.split("testserver", 1)[1]).status_code == 302
    response = post(url, {"body": ARABIC_ANSWER, **guard()})
    assert response.status_code == 302
    answer = Contribution.objects.get()
    assert answer.language == "ar"
    assert answer.status == Status.PENDING  # a new account is pre-moderated

    statements = question_of(consultation, QuestionKind.STATEMENTS)
    surl = f"/ar/consultations/access/questions/{statements.pk}/contribute/"
    for text in (
        "Consultations should be held in all six official languages.",
        "Remote participation should be free of charge for developing countries.",
    ):
        assert post(surl, {"body": text, **guard()}).status_code == 302

    # Public pages show nothing held for moderation.
    page = client.get("/en/consultations/access/").content.decode()
    assert "المشاورات" not in page

    # The moderator approves everything in the queue.
    client.force_login(secretariat)
    queue = client.get("/en/consultations/moderation/")
    assert queue.status_code == 200
    for item in Contribution.objects.filter(status=Status.PENDING):
        response = post(
            f"/en/consultations/moderation/{item.pk}/", {"decision": "approve"}
        )
        assert response.status_code == 302
    assert Contribution.objects.filter(status=Status.PUBLISHED).count() == 3

    page = client.get("/ar/consultations/access/").content.decode()
    assert "المشاورات متاحة" in page
    assert 'lang="ar"' in page

    # Back as the participant: vote on both statements, then change one vote.
    participant = Contribution.objects.first().author
    client.force_login(participant)
    first, second = Contribution.objects.filter(kind="statement").order_by("pk")
    for statement, value in ((first, 1), (second, -1), (second, 1)):
        response = post(
            f"/ar/consultations/access/statements/{statement.pk}/vote/",
            {"value": value},
        )
        assert response.status_code == 302
    assert Vote.objects.count() == 2
    assert set(Vote.objects.values_list("value", flat=True)) == {1}

    # A second participant from another group votes too.
    other = make_participant(group="governments", country="FR")
    client.force_login(other)
    post(f"/en/consultations/access/statements/{first.pk}/vote/", {"value": -1})
    choice = question_of(consultation, QuestionKind.CHOICE)
    option = choice.options.first()
    assert (
        post(
            f"/en/consultations/access/questions/{choice.pk}/choose/",
            {"option": option.pk},
        ).status_code
        == 302
    )

    page = client.get("/en/consultations/access/synthesis/").content.decode()
    assert text_of(page, "n-participants") == "2"
    assert text_of(page, "n-contributions") == "3"
    assert text_of(page, "n-votes") == "3"
    assert "Civil society" in text_of(page, "s-group")
    assert "Governments" in text_of(page, "s-group")
    assert "Arabic" in text_of(page, "s-language")
    assert "1 (100 %)" in text_of(page, f"sq-{choice.pk}")

    exported = client.get("/en/consultations/access/synthesis/json/").json()
    statement_rows = [r for r in exported if r["section"] == "statement"]
    assert {(r["key"], r["agree"], r["disagree"]) for r in statement_rows} == {
        (first.pk, 1, 1),
        (second.pk, 1, 0),
    }
