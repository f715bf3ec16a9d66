"""Pages of the compendium of events, its calendar files and its import."""

import base64
import binascii
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_http_methods, require_safe

from clearinghouse.core.accounts import is_secretariat
from clearinghouse.core.history import history_for
from clearinghouse.core.responses import bad_request
from clearinghouse.security.services import audit_request

from . import jsonld, selectors, services, times
from .filters import EventFilterForm
from .forms import CalendarConfirmForm, CalendarUploadForm
from .ical import CalendarRefused, calendar_bytes
from .models import Event
from .participation import participation_build

TZ_COOKIE_AGE = 365 * 24 * 3600
IMPORT_SESSION_KEY = "events.import"


def _visitor_zone(request: HttpRequest, form: EventFilterForm) -> ZoneInfo:
    """The visitor's zone: the valid `tz` parameter, else the cookie, else UTC.

    An invalid parameter is a form error (a 400); an invalid cookie is
    ignored, since the visitor cannot see it to correct it.
    """
    name = form.cleaned_data.get("tz") or request.COOKIES.get(times.TZ_COOKIE, "")
    return times.zone(name) or ZoneInfo(times.DEFAULT_ZONE)


def _remember_zone(request: HttpRequest, response: HttpResponse, form) -> HttpResponse:
    name = form.cleaned_data.get("tz") if form.is_valid() else ""
    if name and request.COOKIES.get(times.TZ_COOKIE) != name:
        response.set_cookie(
            times.TZ_COOKIE, name, max_age=TZ_COOKIE_AGE, samesite="Lax"
        )
    elif request.COOKIES.get(times.TZ_COOKIE) and not times.zone(
        request.COOKIES[times.TZ_COOKIE]
    ):
        response.delete_cookie(times.TZ_COOKIE)
    return response


def _list(request: HttpRequest, *, when: str) -> HttpResponse:
    form = EventFilterForm(request.GET)
    template = "events/list.html"
    base = {"form": form, "when": when}
    if not form.is_valid():
        base["errors"] = form.error_messages()
        return render(request, template, base, status=400)
    visitor = _visitor_zone(request, form)
    filters = form.filters()
    page = selectors.event_page(
        filters=filters,
        when=when,
        now=timezone.now(),
        page=form.page_number,
        visitor=visitor,
    )
    today = timezone.now().astimezone(visitor).date()
    response = render(
        request,
        template,
        {
            **base,
            "page": page,
            "query": filters.as_query(),
            "visitor_zone": visitor.key,
            "this_month": today,
        },
    )
    return _remember_zone(request, response, form)


@gzip_page  # public lists without secrets: no BREACH risk
@require_safe
def upcoming(request: HttpRequest) -> HttpResponse:
    """Events not yet over, soonest first."""
    return _list(request, when="upcoming")


@gzip_page  # public lists without secrets: no BREACH risk
@require_safe
def past(request: HttpRequest) -> HttpResponse:
    """Events that are over, latest first."""
    return _list(request, when="past")


@require_safe
def month_current(request: HttpRequest) -> HttpResponse:
    """The current month, in the visitor's zone (keeps the filters)."""
    form = EventFilterForm(request.GET)
    if not form.is_valid():
        return bad_request(request, form.error_messages())
    today = timezone.now().astimezone(_visitor_zone(request, form)).date()
    url = reverse(
        "events:month", kwargs={"year": today.year, "month": f"{today.month:02d}"}
    )
    query = request.META.get("QUERY_STRING", "")
    return HttpResponseRedirect(f"{url}?{query}" if query else url)


@gzip_page  # public calendar without secrets: no BREACH risk
@require_safe
def month(request: HttpRequest, year: str, month: str) -> HttpResponse:
    """A month of events as a calendar grid and a list by day."""
    year_n, month_n = int(year), int(month)
    if not selectors.valid_month(year_n, month_n):
        return bad_request(
            request,
            [
                _("There is no month %(month)s in %(year)s: give one from 01 to 12.")
                % {"month": month, "year": year}
            ],
        )
    form = EventFilterForm(request.GET)
    context = {
        "form": form,
        "when": "month",
        "month_title": selectors.month_name(year_n, month_n),
    }
    if not form.is_valid():
        context["errors"] = form.error_messages()
        return render(request, "events/month.html", context, status=400)
    visitor = _visitor_zone(request, form)
    filters = form.filters()
    calendar = selectors.month_build(
        filters=filters, year=year_n, month=month_n, visitor=visitor
    )
    context.update(
        calendar=calendar,
        weekdays=selectors.month_weekdays(),
        query=filters.as_query(),
        visitor_zone=visitor.key,
    )
    response = render(request, "events/month.html", context)
    return _remember_zone(request, response, form)


@require_safe
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One event: times in two zones, place, access, topics, participation."""
    event = selectors.event_detail(pk=pk)
    if event is None:
        raise Http404(_("There is no event with this number."))
    form = EventFilterForm(request.GET)
    if not form.is_valid():
        return bad_request(request, form.error_messages())
    visitor = _visitor_zone(request, form)
    title, title_language = selectors.translated(event, "title")
    description, description_language = selectors.translated(event, "description")
    date_note, _note_language = selectors.translated(event, "date_note")
    when = None
    if event.start is not None:
        when = times.describe(
            start=event.start,
            end=event.end,
            all_day=event.all_day,
            zone_name=event.timezone,
            visitor=visitor,
        )
    page_url = request.build_absolute_uri(event.get_absolute_url())
    response = render(
        request,
        "events/detail.html",
        {
            "event": event,
            "title": title,
            "title_language": title_language,
            "description": description,
            "description_language": description_language,
            "date_note": date_note,
            "when": when,
            "visitor_zone": visitor.key,
            "languages": [
                (row.language, selectors.language_name(row.language))
                for row in event.languages.all()
            ],
            "conflicts": selectors.event_conflicts(event, visitor=visitor),
            "participation": participation_build(event),
            "history": history_for([event], limit=30),
            "jsonld": jsonld.as_script(
                jsonld.event_jsonld(
                    event, page_url=page_url, title=title, description=description
                )
            ),
            "query": form.filters().as_query(),
        },
    )
    return _remember_zone(request, response, form)


def _ics_response(body: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@gzip_page  # public calendar without secrets: no BREACH risk
@require_safe
def calendar_ics(request: HttpRequest) -> HttpResponse:
    """The filtered events as one iCalendar file (a year back by default)."""
    form = EventFilterForm(request.GET)
    if not form.is_valid():
        return bad_request(request, form.error_messages())
    filters = form.filters()
    if filters.since is None and filters.until is None:
        filters = type(filters)(
            **{
                **filters.__dict__,
                "since": selectors.calendar_default_since(timezone.now()),
            }
        )
    events = selectors.events_filtered(filters=filters).dated()
    count = events.count()
    if count > selectors.CALENDAR_MAX_EVENTS:
        return bad_request(
            request,
            [
                _(
                    "%(count)s events match, more than the %(limit)s a calendar file "
                    "holds: narrow the period (since, until) or the filters."
                )
                % {"count": count, "limit": selectors.CALENDAR_MAX_EVENTS}
            ],
        )
    body = calendar_bytes(
        selectors.calendar_events(events),
        name=_("Internet governance events"),
    )
    return _ics_response(body, filename="calendar.ics")


@require_safe
def event_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """One event as an iCalendar file."""
    events = Event.objects.filter(pk=pk)
    rows = selectors.calendar_events(events, limit=1)
    if not rows:
        if events.exists():
            return bad_request(
                request,
                [
                    _(
                        "The dates of this event are not known, so it has no "
                        "calendar entry."
                    )
                ],
                status=404,
            )
        raise Http404(_("There is no event with this number."))
    titles = rows[0].titles
    title = titles.get(rows[0].language) or next(iter(titles.values()), rows[0].uid)
    return _ics_response(calendar_bytes(rows, name=title), filename=f"event-{pk}.ics")


@login_required
@require_http_methods(["GET", "POST"])
def calendar_import(request: HttpRequest) -> HttpResponse:
    """Import an .ics file: upload, preview, confirm (secretariat only).

    Between the preview and the confirmation, the server keeps the uploaded
    bytes in the session (server-side, in the database, tied to the signed-in
    account); the browser sends back only the SHA-256 digest the preview
    showed, which names the file to import. Nothing the client sends is
    imported: parsing is deterministic, so the confirmed import reads exactly
    what was previewed, and checks it against the database as it is then. A
    second preview (another tab) replaces the first, and confirming the first
    is then refused rather than importing the wrong file. Re-uploading was
    not chosen because of slow connections; a signed blob in the page would
    send up to 5 MB through the browser twice.
    """
    if not is_secretariat(request.user):
        return bad_request(
            request, [_("Only the secretariat may import events.")], status=403
        )
    template = "events/import.html"
    if request.method == "GET":
        return render(request, template, {"form": CalendarUploadForm()})
    if "digest" in request.POST:
        return _import_confirm(request, template)
    form = CalendarUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    data = form.cleaned_data["file"].read()
    kind = form.cleaned_data["kind"]
    try:
        report = services.calendar_import(data=data, dry_run=True, default_kind=kind)
    except CalendarRefused as refused:
        return render(
            request, template, {"form": form, "errors": refused.messages}, status=400
        )
    request.session[IMPORT_SESSION_KEY] = {
        "digest": report.digest,
        "kind": kind,
        "name": form.cleaned_data["file"].name[:200],
        "data": base64.b64encode(data).decode("ascii"),
    }
    return render(
        request,
        template,
        {
            "report": report,
            "confirm": CalendarConfirmForm(initial={"digest": report.digest}),
            "name": form.cleaned_data["file"].name,
        },
    )


def _import_confirm(request: HttpRequest, template: str) -> HttpResponse:
    form = CalendarConfirmForm(request.POST)
    stored = request.session.get(IMPORT_SESSION_KEY) or {}
    if not form.is_valid() or stored.get("digest") != form.cleaned_data["digest"]:
        return render(
            request,
            template,
            {
                "form": CalendarUploadForm(),
                "errors": [
                    _(
                        "This preview is no longer the one kept for you (it expired, "
                        "or another file was previewed since). Upload the file again."
                    )
                ],
            },
            status=400,
        )
    try:
        data = base64.b64decode(stored["data"], validate=True)
        report = services.calendar_import(
            data=data, dry_run=False, default_kind=stored["kind"]
        )
    except (binascii.Error, KeyError, CalendarRefused):
        del request.session[IMPORT_SESSION_KEY]
        return render(
            request,
            template,
            {
                "form": CalendarUploadForm(),
                "errors": [
                    _("The kept file could not be read again. Upload it again.")
                ],
            },
            status=400,
        )
    del request.session[IMPORT_SESSION_KEY]
    audit_request(
        request,
        action="event.calendar_import",
        target=f"{stored.get('name', '')} sha256:{stored['digest']}",
    )
    return render(
        request, template, {"report": report, "done": True, "name": stored.get("name")}
    )
