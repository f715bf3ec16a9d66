"""Signals of the library, for apps that follow its documents.

`documents_saved_in_bulk` is sent (sender=Document, ids=[…]) where documents
are written in bulk, which sends no `post_save`: by the harvest, once per
batch, inside its transaction.
"""

from django.dispatch import Signal

documents_saved_in_bulk = Signal()
