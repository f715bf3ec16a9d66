"""The library's public change history (documents are written in one language each).

Registered here, where every app registers it, after modeltranslation.
"""

from simple_history import register as register_history

from .models import Document, DocumentIssue

# A version is looked up by its document and listed by its date; the history
# copies of the document's search keys and foreign keys were never read and
# cost a harvest's inserts a third of their time (decision record 0007, §24).
register_history(
    Document,
    no_db_index=[
        "title_key",
        "date",
        "canonical_url",
        "doi",
        "status",
        "updated_at",
        "jurisdiction_country",
        "jurisdiction_region",
        "submitted_by",
    ],
)
register_history(DocumentIssue)
