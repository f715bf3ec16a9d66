"""Uploads: each supported type yields text and a language; each bad file is refused."""

import pytest

from clearinghouse.library.extraction import UploadRefused, extract, sniff
from clearinghouse.library.models import DocumentFile
from clearinghouse.library.services import document_file_upload

from . import files

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


@pytest.mark.parametrize(
    ("name", "data", "expected", "language"),
    [
        (
            "report.pdf",
            files.pdf_bytes(
                "Spam is a growing problem for developing countries and their networks."
            ),
            "Spam is a growing problem",
            "en",
        ),
        (
            "etude.docx",
            files.docx_bytes(
                "Lutte contre le pourriel dans les pays en développement et leurs "
                "réseaux de télécommunications."
            ),
            "Lutte contre le pourriel",
            "fr",
        ),
        ("page.html", files.HTML.encode(), "Lutte contre le pourriel", "fr"),
        (
            "nota.txt",
            "La gobernanza de Internet y los países en desarrollo.".encode(),
            "La gobernanza de Internet",
            "es",
        ),
        (
            "doklad.txt",
            "Управление интернетом и развивающиеся страны".encode("utf-16"),
            "Управление интернетом",
            "ru",
        ),
    ],
)
def test_each_supported_type_yields_its_text_and_language(
    name, data, expected, language, _media
):
    from clearinghouse.core.langdetect import detect_language

    stored = document_file_upload(name=name, data=data, by=None)
    assert expected in stored.text
    assert detect_language(stored.text) == language
    assert stored.size == len(data)
    assert len(stored.sha256) == 64
    with stored.file.open("rb") as handle:
        assert handle.read() == data
    assert DocumentFile.objects.get() == stored


def test_html_text_leaves_out_scripts_and_styles():
    result = extract(name="page.htm", data=files.HTML.encode())
    assert "alert" not in result.text and "body{}" not in result.text
    assert result.title == "Gouvernance de l'Internet"


def test_the_pdf_title_comes_from_its_metadata():
    result = extract(name="a.pdf", data=files.pdf_bytes("Text", title="The title"))
    assert result.title == "The title"


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("empty.pdf", b"", "empty"),
        ("program.pdf", files.EXE, "mismatch"),
        ("page.pdf", files.HTML.encode(), "mismatch"),
        ("image.pdf", files.SVG.encode(), "mismatch"),
        ("image.svg", files.SVG.encode(), "unsupported"),
        ("program.exe", files.EXE, "unsupported"),
        ("report.docx", files.pdf_bytes(), "mismatch"),
        ("report.txt", files.pdf_bytes(), "mismatch"),
        ("report.html", files.docx_bytes(), "mismatch"),
        ("macros.docx", files.docm_bytes(), "macros"),
        ("secret.pdf", files.encrypted_pdf_bytes(), "encrypted"),
        ("many.docx", files.many_entries_docx_bytes(10_000), "too_many_entries"),
        ("bomb.docx", files.zip_bomb_docx_bytes(64), "zip_bomb"),
        ("broken.pdf", b"%PDF-1.4\n" + b"garbage" * 100, "damaged"),
        ("binary.txt", bytes(range(256)) * 4, "mismatch"),
    ],
)
def test_a_bad_file_is_refused_with_a_reason_and_nothing_is_stored(
    name, data, code, _media
):
    with pytest.raises(UploadRefused) as refusal:
        document_file_upload(name=name, data=data, by=None)
    assert refusal.value.code == code
    assert "Nothing was stored." in refusal.value.message
    assert not DocumentFile.objects.exists()
    assert stored_files(_media) == []


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(settings, _media):
    settings.LIBRARY_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(UploadRefused) as refusal:
        document_file_upload(name="big.txt", data=b"a" * 1001, by=None)
    assert refusal.value.code == "too_large"
    assert "1000" in refusal.value.message or "KB" in refusal.value.message
    assert stored_files(_media) == []


def test_a_docx_that_unpacks_past_the_limit_is_refused(settings):
    settings.LIBRARY_DOCX_MAX_UNPACKED_BYTES = 10_000
    with pytest.raises(UploadRefused) as refusal:
        extract(name="a.docx", data=files.docx_bytes("x" * 50_000))
    assert refusal.value.code == "zip_bomb"


def test_a_reader_that_runs_out_of_memory_is_stopped(settings):
    settings.LIBRARY_EXTRACT_MEMORY_MB = 20
    with pytest.raises(UploadRefused) as refusal:
        extract(name="a.pdf", data=files.pdf_bytes())
    assert refusal.value.code == "limits"


def test_a_reader_that_takes_too_long_is_stopped(settings):
    settings.LIBRARY_EXTRACT_TIMEOUT = 0.001
    with pytest.raises(UploadRefused) as refusal:
        extract(name="a.pdf", data=files.pdf_bytes())
    assert refusal.value.code == "timeout"


def test_refusals_are_in_the_visitors_language():
    from django.utils import translation

    with translation.override("fr"), pytest.raises(UploadRefused) as refusal:
        extract(name="empty.pdf", data=b"")
    assert "Nothing was stored" not in refusal.value.message


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7", "pdf"),
        (b"\xef\xbb\xbfplain words", "text"),
        (b"  <!DOCTYPE html><p>x", "html"),
        (b"<?xml version='1.0'?><note/>", "xml"),
        (b"\x7fELF\x02\x01", "executable"),
        (b"PK\x03\x04broken", "binary"),
    ],
)
def test_content_decides_the_kind(data, kind):
    assert sniff(data) == kind


def test_uploads_never_saved_as_documents_are_pruned(_media, capsys):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    stored = document_file_upload(name="a.txt", data=b"Some words here.", by=None)
    DocumentFile.objects.filter(pk=stored.pk).update(
        created_at=timezone.now() - timedelta(days=3)
    )
    call_command("prune_uploads", dry_run=True)
    assert "1 waiting uploads would be deleted" in capsys.readouterr().out
    assert DocumentFile.objects.exists()
    call_command("prune_uploads")
    assert not DocumentFile.objects.exists()
