"""The hook that queues a document's embedding whenever the library saves it.

A receiver rather than a call in the library's services, so that the library
does not depend on this app; it only queues work after the commit.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from clearinghouse.library.models import Document
from clearinghouse.library.signals import documents_saved_in_bulk


@receiver(post_save, sender=Document, dispatch_uid="semantic.embed_on_save")
def _embed_on_save(sender, instance: Document, raw: bool = False, **kwargs) -> None:
    if raw:  # loading fixtures
        return
    from .tasks import schedule_embedding

    schedule_embedding(instance.pk)


@receiver(
    documents_saved_in_bulk, sender=Document, dispatch_uid="semantic.embed_on_bulk"
)
def _embed_on_bulk_save(sender, ids: list[int], **kwargs) -> None:
    from django.db import transaction

    from .tasks import embed_documents

    # One job for the batch, queued when it commits.
    transaction.on_commit(lambda: embed_documents.enqueue(list(ids)))
