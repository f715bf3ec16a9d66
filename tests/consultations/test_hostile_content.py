"""Hostile contributions are stored safely and shown inert (checked with an
HTML parser): markup is text, only http(s) addresses become links."""

from html.parser import HTMLParser

import pytest

from clearinghouse.consultations.models import Contribution, QuestionKind
from clearinghouse.consultations.text import render_text

from .conftest import guard, question_of

pytestmark = pytest.mark.django_db

HOSTILE = [
    "<script>alert('x')</script> after the script",
    '<img src=x onerror="alert(1)"> and <b onmouseover=alert(2)>bold</b>',
    'javascript:alert(document.cookie) and <a href="javascript:alert(1)">x</a>',
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg== <a href='data:x'>y</a>",
    "<div><p>broken <a href='https://x.org/'unclosed <<<>>> &amp &#x3c;script",
    "Pay here \u202egnp.exe\u202c and \u2066isolated\u2069 text",
    '<svg><script>alert(1)</script></svg> <iframe src="https://evil.example/">',
    'https://example.org/"onmouseover="alert(1) and https://example.org/a?b=<c>',
]


class _Audit(HTMLParser):
    """Elements, attributes and links inside the contributions' bodies."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if self.depth:
            self.depth += 1 if tag not in ("br",) else 0
            self.tags.append(tag)
            self.attributes.extend((k, v or "") for k, v in attrs)
        elif "contribution-body" in classes.split():
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth and tag != "br":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)


def _audit(html: str) -> _Audit:
    audit = _Audit()
    audit.feed(html)
    return audit


def test_hostile_texts_are_shown_as_inert_text(
    client, make_participant, consultation, settings
):
    settings.CONSULTATIONS_TRUSTED_AFTER = 0
    settings.CONSULTATIONS_NEW_MAX_LINKS = 100
    client.force_login(make_participant(trusted=True))
    question = question_of(consultation, QuestionKind.OPEN)
    url = f"/en/consultations/access/questions/{question.pk}/contribute/"
    for text in HOSTILE:
        assert client.post(url, {"body": text, **guard()}).status_code == 302
    assert Contribution.objects.count() == len(HOSTILE)

    audit = _audit(client.get("/en/consultations/access/").content.decode())
    assert set(audit.tags) <= {"p", "br", "a"}
    for name, value in audit.attributes:
        assert name in ("href", "rel"), name
        if name == "href":
            assert value.startswith(("http://", "https://")), value
            assert '"' not in value and "<" not in value
    shown = "".join(audit.text)
    assert "<script>alert('x')</script>" in shown  # shown as text
    assert "onerror" in shown  # as text, not as an attribute


def test_direction_overrides_are_removed_before_storing(
    make_participant, consultation, settings
):
    from clearinghouse.consultations.services import contribution_submit

    item = contribution_submit(
        question=question_of(consultation, QuestionKind.OPEN),
        author=make_participant(),
        body="Pay here \u202egnp.exe\u202c now",
        kind="answer",
    )
    assert "\u202e" not in item.body and "\u202c" not in item.body
    assert item.body == "Pay here gnp.exe now"


def test_a_megabyte_of_text_is_refused_with_a_message_and_nothing_stored(
    client, make_participant, consultation
):
    client.force_login(make_participant())
    question = question_of(consultation, QuestionKind.OPEN)
    url = f"/en/consultations/access/questions/{question.pk}/contribute/"
    response = client.post(url, {"body": "a" * 1_000_000, **guard()})
    assert response.status_code == 400
    assert "at most 20000 characters" in response.content.decode().replace(
        "\u00a0", ""
    ).replace(",", "")
    assert not Contribution.objects.exists()


@pytest.mark.parametrize("text", HOSTILE)
def test_rendering_never_emits_other_tags_or_schemes(text):
    audit = _Audit()
    audit.depth = 1
    audit.feed(str(render_text(text)))
    assert set(audit.tags) <= {"p", "a"}
    for name, value in audit.attributes:
        assert name in ("href", "rel")
        if name == "href":
            assert value.startswith(("http://", "https://"))


def test_links_get_nofollow_and_trailing_punctuation_stays_outside():
    html = str(render_text("See https://www.itu.int/en/. Thanks"))
    assert 'href="https://www.itu.int/en/"' in html
    assert 'rel="nofollow ugc noopener"' in html
    assert "</a>. Thanks" in html
