"""The library's public change history (documents are written in one language each).

Registered here, where every app registers it, after modeltranslation.
"""

from simple_history import register as register_history

from .models import Document, DocumentIssue

register_history(Document)
register_history(DocumentIssue)
