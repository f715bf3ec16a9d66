"""Our OAI-PMH 2.0 repository at /oai: the library's documents as Dublin Core.

All six verbs; sets for areas, issues, document types and institutions
(``area:<slug>``, ``issue:<slug>``, ``type:<code>``, ``institution:<slug>``,
and the four prefixes themselves); ``from``/``until`` in seconds granularity
(days accepted); withdrawn documents as deleted records (persistent).

Lists are paged by keyset on (updated_at, id). The first page freezes the
upper bound (``until``, or the time of the first request) into the signed
resumption token, so documents inserted or changed while a harvester pages
through fall outside this listing (they carry a later datestamp, and the
next incremental harvest gets them): each record comes once per listing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.core import signing
from django.db.models import Min, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from clearinghouse.actors.models import Institution
from clearinghouse.library.models import Document, DocumentStatus, DocumentType
from clearinghouse.taxonomy.models import Area, Issue

GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
SEPARATOR = "/"
ARGUMENTS = {
    "Identify": ({"verb"}, set()),
    "ListMetadataFormats": ({"verb"}, {"identifier"}),
    "ListSets": ({"verb"}, {"resumptionToken"}),
    "GetRecord": ({"verb", "identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"verb", "metadataPrefix"}, {"from", "until", "set"}),
    "ListRecords": ({"verb", "metadataPrefix"}, {"from", "until", "set"}),
}
LIST_VERBS = {"ListIdentifiers", "ListRecords"}
ISO_639_1 = {"zh-hans": "zh"}
# A namespace for the signature of resumption tokens, not a secret.
TOKEN_SALT = "clearinghouse.federation.oai"  # noqa: S105
OAI_DC = (
    '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ '
    'http://www.openarchives.org/OAI/2.0/oai_dc.xsd">'
)


class OaiError(Exception):
    """An OAI-PMH error condition, by its code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def oai_time(value: datetime) -> str:
    """A time as an OAI-PMH UTC datestamp (second granularity; the year in
    four digits, which `strftime` leaves unpadded before 1000 on Linux)."""
    return value.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def _parse_time(value: str, *, upper: bool) -> tuple[datetime, str]:
    """A from/until argument as an aware datetime and its granularity."""
    try:
        if len(value) == 10:
            day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
            return (day + timedelta(days=1) if upper else day), "day"
        moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError as error:
        raise OaiError(
            "badArgument", f"Not a datestamp in {GRANULARITY} granularity: {value}"
        ) from error
    return (moment + timedelta(seconds=1) if upper else moment), "seconds"


def repository_identifier() -> str:
    """The domain part of our OAI identifiers."""
    return settings.OAI_REPOSITORY_IDENTIFIER


def oai_identifier(document_id: int) -> str:
    """The OAI identifier of a document."""
    return f"oai:{repository_identifier()}:{document_id}"


def _document_id(identifier: str) -> int:
    prefix = f"oai:{repository_identifier()}:"
    if not identifier.startswith(prefix) or not identifier[len(prefix) :].isdigit():
        raise OaiError("idDoesNotExist", f"No item has the identifier {identifier}.")
    return int(identifier[len(prefix) :])


def _documents() -> QuerySet:
    """Every document the repository exposes: published ones and tombstones."""
    return Document.objects.filter(
        status__in=[DocumentStatus.PUBLISHED, DocumentStatus.WITHDRAWN]
    )


def _set_filter(spec: str) -> Q:
    kind, _sep, value = spec.partition(":")
    if kind == "area":
        if not value:
            return Q(issues__isnull=False)
        return Q(issues__area__slug=value)
    if kind == "issue":
        return Q(issues__isnull=False) if not value else Q(issues__slug=value)
    if kind == "type":
        return Q() if not value else Q(doc_type=value)
    if kind == "institution":
        if not value:
            return Q(institutions__isnull=False)
        return Q(institutions__slug=value)
    raise OaiError("badArgument", f"No set {spec}.")


def _set_exists(spec: str) -> bool:
    kind, _sep, value = spec.partition(":")
    if not value:
        return kind in {"area", "issue", "type", "institution"}
    if kind == "area":
        return Area.objects.filter(slug=value).exists()
    if kind == "issue":
        return Issue.objects.filter(slug=value).exists()
    if kind == "type":
        return value in DocumentType.values
    if kind == "institution":
        return Institution.objects.filter(slug=value).exists()
    return False


@dataclass
class Listing:
    """The state of a list request, carried in its resumption token."""

    verb: str
    prefix: str
    set_spec: str
    lower: datetime | None
    upper: datetime
    after: tuple[datetime, int] | None
    cursor: int
    total: int

    def token(self) -> str:
        data = {
            "v": self.verb,
            "p": self.prefix,
            "s": self.set_spec,
            "l": self.lower.isoformat() if self.lower else "",
            "u": self.upper.isoformat(),
            "a": [self.after[0].isoformat(), self.after[1]] if self.after else None,
            "c": self.cursor,
            "t": self.total,
        }
        return signing.dumps(data, salt=TOKEN_SALT, compress=True)

    @classmethod
    def read(cls, token: str, verb: str) -> Listing:
        try:
            data = signing.loads(
                token, salt=TOKEN_SALT, max_age=settings.OAI_TOKEN_MAX_AGE
            )
            if data["v"] != verb:
                raise ValueError("another verb's token")
            after = data["a"]
            return cls(
                verb=verb,
                prefix=data["p"],
                set_spec=data["s"],
                lower=datetime.fromisoformat(data["l"]) if data["l"] else None,
                upper=datetime.fromisoformat(data["u"]),
                after=(datetime.fromisoformat(after[0]), int(after[1]))
                if after
                else None,
                cursor=int(data["c"]),
                total=int(data["t"]),
            )
        except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
            raise OaiError(
                "badResumptionToken", "The resumption token is invalid or expired."
            ) from error

    def queryset(self) -> QuerySet:
        documents = _documents().filter(updated_at__lt=self.upper)
        if self.lower is not None:
            documents = documents.filter(updated_at__gte=self.lower)
        if self.set_spec:
            ids = _documents().filter(_set_filter(self.set_spec)).values("pk")
            documents = documents.filter(pk__in=ids)
        return documents

    def page(self) -> list[Document]:
        documents = self.queryset()
        if self.after is not None:
            stamp, pk = self.after
            documents = documents.filter(
                Q(updated_at__gt=stamp) | Q(updated_at=stamp, pk__gt=pk)
            )
        documents = documents.order_by("updated_at", "pk")
        documents = documents.prefetch_related("issues__area", "institutions")
        return list(documents[: settings.OAI_PAGE_SIZE + 1])


def _set_specs(document: Document) -> list[str]:
    specs = {f"type:{document.doc_type}"} if document.doc_type else set()
    for issue in document.issues.all():
        specs.add(f"issue:{issue.slug}")
        if issue.area_id:
            specs.add(f"area:{issue.area.slug}")
    for institution in document.institutions.all():
        specs.add(f"institution:{institution.slug}")
    return sorted(specs)


def _header(document: Document) -> str:
    deleted = document.status == DocumentStatus.WITHDRAWN
    specs = "".join(f"<setSpec>{escape(s)}</setSpec>" for s in _set_specs(document))
    status = ' status="deleted"' if deleted else ""
    return (
        f"<header{status}><identifier>{oai_identifier(document.pk)}</identifier>"
        f"<datestamp>{oai_time(document.updated_at)}</datestamp>{specs}</header>"
    )


def _dc(document: Document, base: str) -> str:
    parts: list[tuple[str, str]] = [("title", document.title)]
    parts += [("creator", author) for author in document.authors or []]
    parts += [("subject", issue.name) for issue in document.issues.all()]
    if document.summary:
        parts.append(("description", document.summary))
    parts += [("publisher", i.name) for i in document.institutions.all()]
    if document.date:
        parts.append(("date", document.date.isoformat()))
    parts.append(("type", "Text"))
    if document.doc_type:
        parts.append(("type", document.get_doc_type_display()))
    parts.append(("identifier", base + document.get_absolute_url()))
    if document.url:
        parts.append(("identifier", document.url))
    if document.doi:
        parts.append(("identifier", f"https://doi.org/{document.doi}"))
    if document.language:
        parts.append(("language", ISO_639_1.get(document.language, document.language)))
    if document.licence:
        parts.append(("rights", document.licence))
    body = "".join(f"<dc:{name}>{escape(value)}</dc:{name}>" for name, value in parts)
    return f"{OAI_DC}{body}</oai_dc:dc>"


def _record(document: Document, base: str) -> str:
    if document.status == DocumentStatus.WITHDRAWN:
        return f"<record>{_header(document)}</record>"
    return (
        f"<record>{_header(document)}<metadata>{_dc(document, base)}</metadata>"
        "</record>"
    )


class Repository:
    """Answers one OAI-PMH request."""

    def __init__(self, request: HttpRequest, arguments: dict[str, str]) -> None:
        self.request = request
        self.arguments = arguments
        self.base_url = request.build_absolute_uri(reverse("federation-oai"))
        self.site = request.build_absolute_uri("/").rstrip("/")

    def check(self, verb: str) -> None:
        required, optional = ARGUMENTS[verb]
        given = set(self.arguments)
        if verb in LIST_VERBS and "resumptionToken" in given:
            if given != {"verb", "resumptionToken"}:
                raise OaiError(
                    "badArgument", "resumptionToken is an exclusive argument."
                )
            return
        if given - required - optional:
            raise OaiError(
                "badArgument",
                "Illegal argument(s): "
                + ", ".join(sorted(given - required - optional)),
            )
        if required - given:
            raise OaiError(
                "badArgument",
                "Missing argument(s): " + ", ".join(sorted(required - given)),
            )

    def identify(self) -> str:
        earliest = _documents().aggregate(first=Min("updated_at"))["first"]
        earliest = earliest or timezone.now()
        return (
            "<Identify>"
            f"<repositoryName>{escape(settings.CLEARINGHOUSE_SITE_NAME)}</repositoryName>"
            f"<baseURL>{escape(self.base_url)}</baseURL>"
            "<protocolVersion>2.0</protocolVersion>"
            f"<adminEmail>{escape(settings.OAI_ADMIN_EMAIL)}</adminEmail>"
            f"<earliestDatestamp>{oai_time(earliest)}</earliestDatestamp>"
            "<deletedRecord>persistent</deletedRecord>"
            f"<granularity>{GRANULARITY}</granularity>"
            "</Identify>"
        )

    def list_metadata_formats(self) -> str:
        identifier = self.arguments.get("identifier")
        if identifier is not None:
            pk = _document_id(identifier)
            if not _documents().filter(pk=pk).exists():
                raise OaiError("idDoesNotExist", f"No item {identifier}.")
        return (
            "<ListMetadataFormats><metadataFormat>"
            "<metadataPrefix>oai_dc</metadataPrefix>"
            "<schema>http://www.openarchives.org/OAI/2.0/oai_dc.xsd</schema>"
            "<metadataNamespace>http://www.openarchives.org/OAI/2.0/oai_dc/"
            "</metadataNamespace></metadataFormat></ListMetadataFormats>"
        )

    def list_sets(self) -> str:
        if "resumptionToken" in self.arguments:
            raise OaiError(
                "badResumptionToken", "ListSets is answered in one response."
            )
        sets = [
            ("area", "Areas"),
            ("issue", "Issues"),
            ("type", "Document types"),
            ("institution", "Institutions"),
        ]
        sets += [(f"area:{a.slug}", a.name) for a in Area.objects.order_by("slug")]
        sets += [(f"issue:{i.slug}", i.name) for i in Issue.objects.order_by("slug")]
        sets += [(f"type:{value}", str(label)) for value, label in DocumentType.choices]
        sets += [
            (f"institution:{i.slug}", i.name)
            for i in Institution.objects.order_by("slug")
        ]
        body = "".join(
            f"<set><setSpec>{escape(spec)}</setSpec><setName>{escape(name)}</setName>"
            "</set>"
            for spec, name in sets
        )
        return f"<ListSets>{body}</ListSets>"

    def _prefix(self) -> str:
        prefix = self.arguments["metadataPrefix"]
        if prefix != "oai_dc":
            raise OaiError(
                "cannotDisseminateFormat", f"The format {prefix} is not offered."
            )
        return prefix

    def get_record(self) -> str:
        self._prefix()
        pk = _document_id(self.arguments["identifier"])
        document = (
            _documents()
            .filter(pk=pk)
            .prefetch_related("issues__area", "institutions")
            .first()
        )
        if document is None:
            raise OaiError("idDoesNotExist", "No such item.")
        return f"<GetRecord>{_record(document, self.site)}</GetRecord>"

    def _listing(self, verb: str) -> Listing:
        if "resumptionToken" in self.arguments:
            return Listing.read(self.arguments["resumptionToken"], verb)
        prefix = self._prefix()
        lower = upper = None
        granularities = set()
        if "from" in self.arguments:
            lower, granularity = _parse_time(self.arguments["from"], upper=False)
            granularities.add(granularity)
        if "until" in self.arguments:
            upper, granularity = _parse_time(self.arguments["until"], upper=True)
            granularities.add(granularity)
        if len(granularities) > 1:
            raise OaiError("badArgument", "from and until differ in granularity.")
        if lower and upper and lower >= upper:
            raise OaiError("badArgument", "from is later than until.")
        set_spec = self.arguments.get("set", "")
        if set_spec and not _set_exists(set_spec):
            raise OaiError("badArgument", f"No set {set_spec}.")
        now = timezone.now()
        listing = Listing(
            verb=verb,
            prefix=prefix,
            set_spec=set_spec,
            lower=lower,
            # Frozen here: later inserts fall after it.
            upper=min(upper, now) if upper else now,
            after=None,
            cursor=0,
            total=0,
        )
        listing.total = listing.queryset().count()
        return listing

    def list_items(self, verb: str) -> str:
        listing = self._listing(verb)
        documents = listing.page()
        if not documents:
            raise OaiError("noRecordsMatch", "No records match the request.")
        more = len(documents) > settings.OAI_PAGE_SIZE
        documents = documents[: settings.OAI_PAGE_SIZE]
        if verb == "ListRecords":
            items = "".join(_record(d, self.site) for d in documents)
        else:
            items = "".join(_header(d) for d in documents)
        token = ""
        if more or listing.cursor:
            attributes = f'completeListSize="{listing.total}" cursor="{listing.cursor}"'
            if more:
                last = documents[-1]
                following = Listing(
                    **{
                        **listing.__dict__,
                        "after": (last.updated_at, last.pk),
                        "cursor": listing.cursor + len(documents),
                    }
                )
                expires = timezone.now() + timedelta(seconds=settings.OAI_TOKEN_MAX_AGE)
                token = (
                    f'<resumptionToken expirationDate="{oai_time(expires)}" '
                    f"{attributes}>{escape(following.token())}</resumptionToken>"
                )
            else:
                token = f"<resumptionToken {attributes}/>"
        return f"<{verb}>{items}{token}</{verb}>"

    def answer(self, verb: str) -> str:
        self.check(verb)
        if verb == "Identify":
            return self.identify()
        if verb == "ListMetadataFormats":
            return self.list_metadata_formats()
        if verb == "ListSets":
            return self.list_sets()
        if verb == "GetRecord":
            return self.get_record()
        return self.list_items(verb)


def _envelope(request_element: str, body: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ '
        'http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">'
        f"<responseDate>{oai_time(timezone.now())}</responseDate>"
        f"{request_element}{body}</OAI-PMH>"
    )


def _arguments(request: HttpRequest) -> tuple[dict[str, str], list[str]]:
    data = request.POST if request.method == "POST" else request.GET
    arguments, repeated = {}, []
    for key in data:
        values = data.getlist(key)
        if len(values) > 1:
            repeated.append(key)
        arguments[key] = values[0]
    return arguments, repeated


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def oai(request: HttpRequest) -> HttpResponse:
    """The OAI-PMH 2.0 endpoint."""
    repository = Repository(request, {})
    arguments, repeated = _arguments(request)
    repository.arguments = arguments
    verb = arguments.get("verb", "")
    base = escape(repository.base_url)
    try:
        if repeated:
            raise OaiError(
                "badArgument", "Repeated argument(s): " + ", ".join(repeated)
            )
        if verb not in ARGUMENTS:
            raise OaiError("badVerb", "Missing or illegal verb.")
        body = repository.answer(verb)
        attributes = "".join(
            f" {name}={quoteattr(value)}" for name, value in sorted(arguments.items())
        )
        request_element = f"<request{attributes}>{base}</request>"
    except OaiError as error:
        if error.code in {"badVerb", "badArgument"}:
            # The spec: no attributes on request for these two errors.
            request_element = f"<request>{base}</request>"
        else:
            attributes = "".join(
                f" {name}={quoteattr(value)}"
                for name, value in sorted(arguments.items())
            )
            request_element = f"<request{attributes}>{base}</request>"
        body = f'<error code="{error.code}">{escape(error.message)}</error>'
    response = HttpResponse(
        _envelope(request_element, body), content_type="text/xml; charset=utf-8"
    )
    response["Cache-Control"] = f"public, max-age={settings.OAI_CACHE_SECONDS}"
    return response
