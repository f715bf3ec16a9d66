"""A saved document is embedded by the background worker after the commit."""

from clearinghouse.semantic.models import DocumentVector
from tests.library.factories import DocumentFactory
from tests.queue import run_queued_jobs


def test_saving_a_document_queues_its_embedding_for_the_worker(
    forum2004, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        doc = DocumentFactory(
            title="Junk e-mail filtering for small providers",
            summary="Practical advice to block unsolicited bulk mail.",
        )
    assert not DocumentVector.objects.filter(document=doc).exists()
    run_queued_jobs()
    assert DocumentVector.objects.filter(document=doc).exists()


def test_the_worker_skips_cleanly_without_the_model(
    forum2004, settings, django_capture_on_commit_callbacks, caplog
):
    settings.SEMANTIC_ENCODER_MODULE = "clearinghouse_no_such_encoder"
    with django_capture_on_commit_callbacks(execute=True):
        doc = DocumentFactory(title="Root servers", summary="Who runs them.")
    run_queued_jobs()
    assert not DocumentVector.objects.filter(document=doc).exists()
    assert "semantic.embed.skipped" in caplog.text


def test_harvested_documents_are_embedded_too(
    forum2004, django_capture_on_commit_callbacks
):
    from clearinghouse.library.services import (
        HarvestedRecord,
        documents_upsert_harvested,
    )

    with django_capture_on_commit_callbacks(execute=True):
        outcomes = documents_upsert_harvested(
            source_key="federation:1",
            source_label="Partner",
            source_url="https://partner.example.org/oai",
            records=[
                HarvestedRecord("a", None, {"title": "Junk e-mail filtering"}),
                HarvestedRecord("b", None, {"title": "Root servers and who runs them"}),
            ],
        )
    run_queued_jobs()
    assert (
        DocumentVector.objects.filter(
            document__in=[o.document for o in outcomes]
        ).count()
        == 2
    )
