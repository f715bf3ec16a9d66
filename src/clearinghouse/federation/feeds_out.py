"""Atom feeds of the library's newest documents per issue, institution and type."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from clearinghouse.actors.models import Institution
from clearinghouse.library.models import Document, DocumentType
from clearinghouse.taxonomy.models import Issue

FEED_SIZE = 50


class _DocumentFeed(Feed):
    """The newest published documents of a selection, newest first."""

    feed_type = Atom1Feed

    def selection(self, obj):
        raise NotImplementedError

    def items(self, obj):
        return (
            self.selection(obj)
            .published()
            .order_by("-updated_at", "-pk")
            .prefetch_related("institutions")[:FEED_SIZE]
        )

    def item_title(self, item: Document) -> str:
        return item.title

    def item_description(self, item: Document) -> str:
        return item.summary

    def item_updateddate(self, item: Document):
        return item.updated_at

    def item_pubdate(self, item: Document):
        return item.created_at

    def item_author_name(self, item: Document) -> str:
        return ", ".join(item.authors or [])[:300]

    def item_guid(self, item: Document) -> str:
        return f"tag:{settings.OAI_REPOSITORY_IDENTIFIER},2004:document:{item.pk}"

    item_guid_is_permalink = False

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        response["Cache-Control"] = "public, max-age=300"
        return response


class IssueFeed(_DocumentFeed):
    """Documents on one issue."""

    def get_object(self, request, slug: str) -> Issue:
        return get_object_or_404(Issue, slug=slug)

    def title(self, obj: Issue) -> str:
        return _("Library: %(name)s") % {"name": obj.name}

    def link(self, obj: Issue) -> str:
        return obj.get_absolute_url()

    def selection(self, obj: Issue):
        return Document.objects.filter(issues=obj).distinct()


class InstitutionFeed(_DocumentFeed):
    """Documents of one institution."""

    def get_object(self, request, slug: str) -> Institution:
        return get_object_or_404(Institution, slug=slug)

    def title(self, obj: Institution) -> str:
        return _("Library: %(name)s") % {"name": obj.name}

    def link(self, obj: Institution) -> str:
        return obj.get_absolute_url()

    def selection(self, obj: Institution):
        return Document.objects.filter(institutions=obj).distinct()


class TypeFeed(_DocumentFeed):
    """Documents of one type."""

    def get_object(self, request, code: str) -> str:
        if code not in DocumentType.values:
            raise Http404
        return code

    def title(self, obj: str) -> str:
        return _("Library: %(type)s") % {"type": DocumentType(obj).label}

    def link(self, obj: str) -> str:
        return "/"

    def selection(self, obj: str):
        return Document.objects.filter(doc_type=obj)
