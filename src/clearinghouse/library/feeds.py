"""Atom feeds (RFC 4287) of saved searches: the newest documents each one finds."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import querying, selectors
from .models import SavedSearch

FEED_ITEMS = 50


@require_safe
def saved_search_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A saved search's newest documents, newest first; the token is the key."""
    search = SavedSearch.objects.filter(token=token).select_related("user").first()
    if search is None:
        raise Http404(_("There is no saved search with this address."))
    query = querying.parse(_query_dict(search.query))
    query.sort, query.page, query.per_page = "date", 1, FEED_ITEMS
    language = translation.get_language() or "en"
    page_url = request.build_absolute_uri(
        reverse("library:search") + (f"?{query.query_string()}" if search.query else "")
    )
    feed = Atom1Feed(
        title=search.name,
        link=page_url,
        description=_("The newest documents of a saved library search."),
        feed_url=request.build_absolute_uri(),
        language=language,
        id=request.build_absolute_uri(),
    )
    results = selectors.search(query, with_names=False) if query.is_valid else None
    for document, _snippet, _score in results.documents if results else []:
        url = request.build_absolute_uri(document.get_absolute_url())
        feed.add_item(
            title=document.title,
            link=url,
            description=document.summary,
            unique_id=url,
            unique_id_is_permalink=True,
            author_name="; ".join(document.authors) or None,
            pubdate=document.created_at,
            updateddate=document.updated_at,
            categories=[document.get_doc_type_display()],
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    return response


def _query_dict(text: str):
    from django.http import QueryDict

    return QueryDict(text)
