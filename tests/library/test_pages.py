"""The document page, its citations and files; adding, reviewing and lists elsewhere."""

import json
import re

import pytest
from django.utils import timezone

from clearinghouse.core.models import Profile
from clearinghouse.library import citations
from clearinghouse.library.models import Document, DocumentFile, DocumentIssue
from clearinghouse.library.services import document_file_upload, document_withdraw
from tests.factories import InstitutionFactory, IssueFactory

from . import files
from .factories import DocumentFactory, credit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def verified(participant):
    Profile.objects.create(user=participant, email_verified_at=timezone.now())
    return participant


def jsonld(page: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def test_a_document_page_describes_it_in_schema_org(client):
    institution = InstitutionFactory(name="ITU")
    document = DocumentFactory(
        title="Spam </script><b>x</b>",
        authors=["Ann Author"],
        doc_type="research",
        doi="10.1000/xyz",
    )
    document.institutions.add(institution)
    credit(document)
    response = client.get(f"/en/library/{document.pk}/")
    assert response.status_code == 200
    data = jsonld(response.content.decode())
    assert data["@type"] == "ScholarlyArticle"
    assert data["name"] == "Spam </script><b>x</b>"
    assert data["author"] == [{"@type": "Person", "name": "Ann Author"}]
    assert data["publisher"][0]["name"] == "ITU"
    assert data["datePublished"] == "2004-03-25"
    assert data["identifier"][0]["value"] == "10.1000/xyz"
    assert "<b>x</b>" not in response.content.decode().split("</script>", 1)[1]


def test_a_withdrawn_document_answers_gone_and_keeps_its_record(client):
    document = DocumentFactory()
    credit(document)
    document_withdraw(document=document)
    response = client.get(f"/en/library/{document.pk}/")
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()


def test_a_submission_is_hidden_from_the_public_but_shown_to_its_author(
    client, verified
):
    document = DocumentFactory(status="submitted", submitted_by=verified)
    assert client.get(f"/en/library/{document.pk}/").status_code == 404
    client.force_login(verified)
    assert client.get(f"/en/library/{document.pk}/").status_code == 200


def test_related_documents_share_issues_and_events_are_listed(client):
    from tests.events.factories import EventFactory

    issue = IssueFactory()
    document, other, unrelated = DocumentFactory(), DocumentFactory(), DocumentFactory()
    for doc in (document, other):
        DocumentIssue.objects.create(document=doc, issue=issue, confirmed=True)
    event = EventFactory(title_en="WSIS Tunis")
    document.presented_at.add(event)
    page = client.get(f"/en/library/{document.pk}/").content.decode()
    related = page.split('id="related"')[1]
    assert other.title in related and unrelated.title not in related
    assert "WSIS Tunis" in page


def test_bibtex_escapes_what_tex_would_read_as_syntax():
    document = DocumentFactory(
        title="50% of {spam} & $cost_of #it",
        authors=["Smith, John", "O'Brien and Sons"],
        url="https://example.org/a b}",
    )
    text = citations.bibtex(document, page_url="https://here/x")
    assert r"title = {50\% of \{spam\} \& \$cost\_of \#it}," in text
    assert "author = {{Smith, John} and {O'Brien and Sons}}," in text
    assert "url = {https://example.org/a%20b%7D}," in text
    assert text.count("{") == text.count("}")


def test_ris_keeps_each_value_on_one_line():
    document = DocumentFactory(
        title="Line one\nTY  - JOUR", summary="a\r\nER  - b", authors=["A"]
    )
    text = citations.ris(document, page_url="https://here/x")
    lines = text.split("\r\n")
    assert lines[0] == "TY  - RPRT"
    assert "TI  - Line one TY - JOUR" in lines
    assert sum(1 for line in lines if line.startswith("ER  -")) == 1
    assert sum(1 for line in lines if line.startswith("TY  -")) == 1


def test_csl_json_is_valid_json_with_the_date_parts():
    document = DocumentFactory(title='Quote " and \\', date_precision="month")
    data = json.loads(citations.csl_json(document, page_url="https://here/x"))
    assert data[0]["title"] == 'Quote " and \\'
    assert data[0]["issued"] == {"date-parts": [[2004, 3]]}


@pytest.mark.parametrize("fmt", ["bib", "ris", "csl"])
def test_citations_download_as_files(client, fmt):
    document = DocumentFactory()
    response = client.get(f"/en/library/{document.pk}/cite.{fmt}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")


def test_an_unknown_citation_format_is_a_404(client):
    document = DocumentFactory()
    assert client.get(f"/en/library/{document.pk}/cite.exe").status_code == 404


def test_files_are_served_as_sandboxed_attachments(client):
    document = DocumentFactory()
    stored = document_file_upload(name="page.html", data=files.HTML.encode(), by=None)
    stored.document = document
    stored.save()
    response = client.get(f"/en/library/{document.pk}/files/{stored.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == files.HTML.encode()


def test_the_public_must_sign_in_and_unverified_accounts_cannot_submit(
    client, participant
):
    response = client.get("/en/library/add/")
    assert response.status_code == 302
    client.force_login(participant)
    response = client.get("/en/library/add/")
    assert response.status_code == 403


def test_the_secretariat_publishes_directly_with_confirmed_issues(secretariat_client):
    issue = IssueFactory()
    response = secretariat_client.post(
        "/en/library/add/",
        {
            "title": "A law on spam",
            "doc_type": "law",
            "date": "2004",
            "issues": [issue.pk],
            "authors": "One\nTwo\n",
            "body": "The law of the land on unsolicited messages is this one.",
        },
    )
    document = Document.objects.get()
    assert response.status_code == 302
    assert document.status == "published"
    assert document.authors == ["One", "Two"]
    assert document.date_precision == "year"
    assert document.issue_tags.get().confirmed
    assert document.provenances.get().source_key == "form"
    assert document.language == "en"


def test_a_participant_submits_for_review_and_the_curator_confirms(
    client, verified, secretariat
):
    first, second = IssueFactory(), IssueFactory()
    client.force_login(verified)
    client.post(
        "/en/library/add/",
        {"title": "A study", "doc_type": "research", "issues": [first.pk, second.pk]},
    )
    document = Document.objects.get()
    assert document.status == "submitted"
    assert not document.issue_tags.filter(confirmed=True).exists()
    client.force_login(secretariat)
    queue = client.get("/en/library/review/")
    assert "A study" in queue.content.decode()
    client.post(
        f"/en/library/review/{document.pk}/",
        {f"d{document.pk}-decision": "publish", f"d{document.pk}-issues": [second.pk]},
    )
    document.refresh_from_db()
    assert document.status == "published"
    assert list(document.issue_tags.values_list("issue", "confirmed")) == [
        (second.pk, True)
    ]


def test_a_participant_cannot_review(client, verified):
    client.force_login(verified)
    assert client.get("/en/library/review/").status_code == 403


def test_an_upload_shows_its_text_language_and_suggested_issues_before_saving(
    client, verified
):
    issue = IssueFactory(name="Spam", name_fr="Pourriel")
    client.force_login(verified)
    data = files.docx_bytes(
        "Lutte contre le pourriel dans les pays en développement et leurs réseaux."
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/en/library/upload/",
        {"file": SimpleUploadedFile("etude.docx", data)},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Lutte contre le pourriel" in page
    assert re.search(r'<option value="fr" selected>', page)
    assert re.search(rf'value="{issue.pk}"[^>]*checked', page)
    assert not Document.objects.exists()
    stored = DocumentFile.objects.get()
    response = client.post(
        "/en/library/add/",
        {
            "file": stored.pk,
            "title": "Étude",
            "doc_type": "research",
            "language": "fr",
            "body": "Texte corrigé.",
        },
    )
    document = Document.objects.get()
    assert document.body == "Texte corrigé."
    assert document.files.get() == stored
    assert document.provenances.get().source_key == "upload"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("empty.pdf", b""),
        ("page.pdf", files.HTML.encode()),
        ("secret.pdf", files.encrypted_pdf_bytes()),
        ("macros.docx", files.docm_bytes()),
    ],
)
def test_a_refused_upload_says_why_in_the_page_and_stores_nothing(
    client, verified, name, data, _media
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(verified)
    response = client.post(
        "/fr/library/upload/", {"file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not DocumentFile.objects.exists()
    assert not _media.exists() or not any(p.is_file() for p in _media.rglob("*"))


def test_an_oversized_upload_is_refused(client, verified, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.LIBRARY_MAX_UPLOAD_BYTES = 10
    client.force_login(verified)
    response = client.post(
        "/en/library/upload/", {"file": SimpleUploadedFile("a.txt", b"x" * 11)}
    )
    assert response.status_code == 400
    assert "larger than" in response.content.decode()
    assert not DocumentFile.objects.exists()


def test_issue_and_institution_pages_list_their_documents(client):
    issue = IssueFactory()
    institution = InstitutionFactory()
    document = DocumentFactory(title="Listed document")
    hidden = DocumentFactory(title="Hidden submission", status="submitted")
    DocumentIssue.objects.create(document=document, issue=issue)
    DocumentIssue.objects.create(document=hidden, issue=issue)
    document.institutions.add(institution)
    issue_page = client.get(f"/en/issues/{issue.slug}/").content.decode()
    institution_page = client.get(
        f"/en/institutions/{institution.slug}/"
    ).content.decode()
    assert "Listed document" in issue_page and "Hidden submission" not in issue_page
    assert "Listed document" in institution_page


def test_a_request_body_far_over_the_limit_is_refused_before_it_is_read(
    client, verified, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.LIBRARY_MAX_UPLOAD_BYTES = 10
    client.force_login(verified)
    response = client.post(
        "/en/library/upload/",
        {"file": SimpleUploadedFile("a.txt", b"x" * 200_000)},
    )
    assert response.status_code == 400
    assert "larger than" in response.content.decode()
    assert not DocumentFile.objects.exists()
