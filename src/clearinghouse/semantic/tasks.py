"""Background jobs: embedding documents after they are saved or harvested."""

import logging

from django.db import transaction
from django_tasks import task

from . import encoder, services

logger = logging.getLogger(__name__)


@task()
def embed_documents(document_ids: list[int]) -> int:
    """Embed documents and suggest their issues; returns how many were embedded."""
    try:
        report = services.documents_embed(document_ids=document_ids)
    except encoder.EncoderUnavailable as error:
        # Not a failure of the document: it is found by full text, and
        # `clearinghouse reembed` catches up once the model is installed.
        logger.warning("semantic.embed.skipped", extra={"error": str(error)})
        return 0
    return report.embedded


def schedule_embedding(document_id: int) -> None:
    """Queue a document's embedding for when the current transaction commits."""
    transaction.on_commit(lambda: embed_documents.enqueue([document_id]))
