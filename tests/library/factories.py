"""Factories for library documents."""

from datetime import date

import factory
from django.utils import timezone

from clearinghouse.library.models import Document, DocumentProvenance


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    title = factory.Sequence(lambda n: f"Document {n}")
    title_key = factory.LazyAttribute(lambda d: d.title.lower())
    summary = "A summary."
    doc_type = "report"
    language = "en"
    date = date(2004, 3, 25)
    status = "published"


def credit(document: Document, key: str = "form", ident: str = "") -> None:
    """Record where a document came from."""
    DocumentProvenance.objects.create(
        document=document,
        source_key=key,
        original_identifier=ident or str(document.pk),
        fetched_at=timezone.now(),
    )
