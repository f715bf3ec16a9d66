"""Security headers on every page, and pages that a strict CSP does not break."""

from html.parser import HTMLParser

import pytest

from clearinghouse.matrix.models import Mandate

pytestmark = pytest.mark.django_db


class _InlineCode(HTMLParser):
    """Collects what a strict Content-Security-Policy would block."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in attributes:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event handler")
            if name == "style":
                self.problems.append(f"<{tag} style=…> inline style")
        if tag == "script":
            kind = attributes.get("type", "")
            is_data = kind in ("application/ld+json", "application/json")
            self._in_script = not attributes.get("src") and not is_data
        if tag == "style":
            self.problems.append("<style> element")
        for name in ("href", "src", "action"):
            value = attributes.get(name) or ""
            if value.startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:…>")
            if value.startswith(("http://", "https://", "//")) and tag in (
                "script",
                "link",
                "img",
            ):
                self.problems.append(f"<{tag} {name}={value}> from another host")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append("inline <script> code")


def _pages():
    from clearinghouse.events.models import Event
    from clearinghouse.federation.models import Source
    from clearinghouse.filters.models import Assessment
    from clearinghouse.roadmap.models import Milestone, Proposal
    from tests.library.factories import DocumentFactory

    mandate = Mandate.objects.select_related("issue", "institution").first()
    forum = Event.objects.get(
        uid="global-forum-internet-governance-2004@forum2004.clearinghouse"
    )
    document = DocumentFactory(summary="<script>alert(1)</script>")
    source = Source.objects.create(
        name="Partner repository",
        kind="oai-pmh",
        url="https://partner.example.org/oai",
        institution=mandate.institution,
        status="active",
    )
    return [
        f"/ar/library/{document.pk}/",
        f"/en/library/{document.pk}/",
        "/en/library/?q=spam+-law&type=law",
        "/ar/library/?q=%22unbalanced",
        "/fr/library/?q=pourriel&mode=meaning",
        "/fr/library/discover/?q=pourriel&mode=words",
        "/ar/library/suggestions/",
        "/ar/sources/",
        f"/fr/sources/{source.pk}/",
        "/en/events/",
        "/ar/events/past/",
        "/fr/events/month/2004/03/",
        f"/ar/events/{forum.pk}/",
        f"/en/events/{forum.pk}/",
        "/ar/roadmap/",
        "/en/roadmap/due/",
        "/en/roadmap/slipped/",
        f"/ru/roadmap/{Milestone.objects.first().slug}/",
        "/es/proposals/?addressed_to=itu",
        f"/zh-hans/proposals/{Proposal.objects.first().slug}/",
        "/en/",
        "/ar/matrix/",
        "/en/matrix/?view=list",
        "/fr/matrix/gaps/",
        "/en/issues/",
        f"/zh-hans/issues/{mandate.issue.slug}/",
        "/es/institutions/",
        f"/ru/institutions/{mandate.institution.slug}/",
        f"/en/matrix/cell/{mandate.issue.slug}/{mandate.institution.slug}/",
        "/en/matrix/?area=nowhere",
        "/en/nowhere/",
        "/api/v1/docs",
        "/en/filters/",
        "/ar/filters/issues/spam/",
        "/fr/filters/questions/",
        "/en/filters/questions/?version=1",
        f"/ar/filters/assessments/{Assessment.objects.first().pk}/",
        *_consultation_pages(),
    ]


def _consultation_pages():
    from datetime import timedelta

    from django.utils import timezone

    from clearinghouse.consultations.models import Consultation, Question
    from clearinghouse.consultations.synthesis import synthesis_store

    now = timezone.now()
    consultation, _new = Consultation.objects.get_or_create(
        slug="csp",
        defaults={"title": "CSP", "opens_at": now, "closes_at": now + timedelta(1)},
    )
    for kind in ("open", "choice", "statements"):
        Question.objects.get_or_create(consultation=consultation, kind=kind, text=kind)
    synthesis_store(consultation=consultation)
    return [
        "/en/consultations/",
        "/ar/consultations/csp/",
        "/fr/consultations/csp/synthesis/",
        "/ar/participation/",
        "/en/accounts/signup/",
        "/ru/accounts/login/",
        "/es/accounts/password/reset/",
    ]


def test_pages_send_security_headers(client, forum2004):
    for url in _pages():
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy, url
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_code_a_strict_policy_would_block(client, forum2004):
    for url in _pages():
        parser = _InlineCode()
        parser.feed(client.get(url).content.decode())
        assert parser.problems == [], url
