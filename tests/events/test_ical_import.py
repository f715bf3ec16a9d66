"""iCalendar in: every bad input gets a per-event report or a clear refusal."""

import signal
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from clearinghouse.events import ical
from clearinghouse.events.models import Event
from clearinghouse.events.services import CalendarRefused, calendar_import

pytestmark = pytest.mark.django_db


@contextmanager
def _fails_if_it_hangs(seconds: int = 120):
    """Fail the test instead of hanging the suite (a guard, not a speed target)."""

    def stop(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def vevent(
    uid: str | None = "meeting@test",
    summary: str | None = "Meeting",
    start: str | None = "DTSTART:20300105T100000Z",
    *extra: str,
) -> list[str]:
    lines = ["BEGIN:VEVENT"]
    if uid is not None:
        lines.append(f"UID:{uid}")
    if summary is not None:
        lines.append(f"SUMMARY:{summary}")
    if start is not None:
        lines.append(start)
    lines.extend(extra)
    lines.append("END:VEVENT")
    return lines


def ics(*events: list[str], head: tuple[str, ...] = (), end: str = "\r\n") -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", *head]
    for event in events:
        lines.extend(event)
    lines.append("END:VCALENDAR")
    return (end.join(lines) + end).encode("utf-8")


def _outcomes(report) -> dict[str, str]:
    return {line.uid: line.outcome for line in report.lines}


def _reasons(report, uid: str) -> str:
    return " ".join(next(line for line in report.lines if line.uid == uid).reasons)


# ---- refusals of the whole file -----------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \r\n", "empty"),
        (b"hello, this is a letter\n", "does not start with BEGIN:VCALENDAR"),
        (b'{"events": []}', "does not start with BEGIN:VCALENDAR"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
        ("BEGIN:VCALENDAR\r\nSUMMARY:é\r\n".encode("latin-1"), "not UTF-8"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n", "cut short"),
        (ics(), "no events"),
        (b"BEGIN:VCALENDAR\x00\r\nEND:VCALENDAR\r\n", "binary"),
    ],
)
def test_a_file_that_is_not_a_calendar_is_refused_and_nothing_written(data, message):
    with pytest.raises(CalendarRefused) as refused:
        calendar_import(data=data, dry_run=False)
    assert message in " ".join(refused.value.messages)
    assert not Event.objects.exists()


def test_a_20_mb_file_is_refused_before_it_is_parsed(monkeypatch):
    def parse(*args, **kwargs):
        raise AssertionError("the parser must not see an oversized file")

    monkeypatch.setattr(icalendar.Calendar, "from_ical", parse)
    data = ics(vevent(), vevent(uid="x", summary="x" * 1000)) + b" " * (20 * 2**20)
    with pytest.raises(CalendarRefused) as refused:
        calendar_import(data=data, dry_run=False)
    assert "more than 5 MB are refused" in refused.value.messages[0]
    assert not Event.objects.exists()


def test_too_many_events_in_one_file_are_refused(monkeypatch):
    monkeypatch.setattr(ical, "MAX_COMPONENTS", 2)
    data = ics(vevent("a@t"), vevent("b@t"), vevent("c@t"))
    with pytest.raises(CalendarRefused, match="at most 2"):
        calendar_import(data=data, dry_run=False)
    assert not Event.objects.exists()


# ---- per-event reports ---------------------------------------------------


def test_an_event_without_dtstart_is_skipped_and_the_others_imported():
    data = ics(vevent("good@t"), vevent("nostart@t", "No start", None))
    report = calendar_import(data=data, dry_run=False)
    assert _outcomes(report) == {"good@t": "created", "nostart@t": "skipped"}
    assert "No start (DTSTART)" in _reasons(report, "nostart@t")
    assert report.counts == {"created": 1, "updated": 0, "unchanged": 0, "skipped": 1}
    assert "skipped 1" in report.summary()
    assert list(Event.objects.values_list("uid", flat=True)) == ["good@t"]


def test_an_unknown_tzid_is_reported_per_event():
    data = ics(
        vevent("mars@t", "On Mars", "DTSTART;TZID=Mars/Olympus:20300105T100000"),
        vevent("earth@t", "On Earth", "DTSTART;TZID=Africa/Dakar:20300105T100000"),
    )
    report = calendar_import(data=data, dry_run=False)
    assert _outcomes(report) == {"mars@t": "skipped", "earth@t": "created"}
    assert "Unknown time zone “Mars/Olympus”" in _reasons(report, "mars@t")
    assert Event.objects.get(uid="earth@t").timezone == "Africa/Dakar"


def test_bare_cr_line_endings_are_read_as_line_breaks_and_said_so():
    data = ics(vevent("cr@t"), end="\r")
    assert b"\n" not in data
    report = calendar_import(data=data, dry_run=False)
    assert _outcomes(report) == {"cr@t": "created"}
    assert any("bare carriage returns" in note for note in report.notes)


def test_a_utf8_bom_is_ignored():
    data = "\ufeff".encode() + ics(vevent("bom@t", "Réunion à Genève"))
    report = calendar_import(data=data, dry_run=False)
    assert _outcomes(report) == {"bom@t": "created"}
    assert Event.objects.get().title == "Réunion à Genève"


def test_an_unbounded_rrule_is_capped_with_derived_uids():
    data = ics(
        vevent(
            "weekly@t",
            "Weekly call",
            "DTSTART;TZID=Europe/Paris:20300107T100000",
            "DTEND;TZID=Europe/Paris:20300107T110000",
            "RRULE:FREQ=WEEKLY",
        )
    )
    with _fails_if_it_hangs():
        report = calendar_import(data=data, dry_run=False)
    assert report.counts["created"] == ical.SERIES_MAX_OCCURRENCES == 100
    assert "later ones were not imported" in report.lines[0].reasons[0]
    events = list(Event.objects.order_by("start"))
    assert events[0].uid == "weekly@t/20300107T090000Z"
    assert events[-1].start - events[0].start <= timedelta(days=731)
    assert len({event.uid for event in events}) == 100
    again = calendar_import(data=data, dry_run=False)
    assert again.counts["unchanged"] == 100
    assert Event.objects.count() == 100


def test_a_daily_rrule_stops_two_years_after_its_start():
    data = ics(
        vevent(
            "daily@t",
            "Daily",
            "DTSTART;VALUE=DATE:20300101",
            "RRULE:FREQ=DAILY;INTERVAL=10",
        )
    )
    report = calendar_import(data=data, dry_run=False)
    starts = sorted(Event.objects.values_list("start", flat=True))
    assert len(starts) == 74  # every tenth day within 731 days
    assert starts[-1] - starts[0] <= timedelta(days=731)
    assert "later ones were not imported" in report.lines[0].reasons[0]


def test_count_is_counted_before_exdate_as_rfc5545_says():
    data = ics(
        vevent(
            "five@t",
            "Five sessions, one cancelled",
            "DTSTART:20300107T100000Z",
            "RRULE:FREQ=WEEKLY;COUNT=5",
            "EXDATE:20300114T100000Z",
        )
    )
    report = calendar_import(data=data, dry_run=False)
    assert report.counts["created"] == 4
    assert not any(line.reasons for line in report.lines)
    last = Event.objects.order_by("-start").first()
    assert last.start == datetime(2030, 2, 4, 10, tzinfo=UTC)


def test_a_moved_occurrence_keeps_the_uid_of_its_slot():
    data = ics(
        vevent("s@t", "Series", "DTSTART:20300107T100000Z", "RRULE:FREQ=DAILY;COUNT=3"),
        vevent(
            "s@t",
            "Series (moved)",
            "DTSTART:20300108T150000Z",
            "RECURRENCE-ID:20300108T100000Z",
        ),
    )
    calendar_import(data=data, dry_run=False)
    moved = Event.objects.get(uid="s@t/20300108T100000Z")
    assert moved.title == "Series (moved)"
    assert moved.start == datetime(2030, 1, 8, 15, tzinfo=UTC)
    assert Event.objects.count() == 3


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=5",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=WEEKLY;BYMONTH=4;BYMONTHDAY=31;UNTIL=20990101T000000Z",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;INTERVAL=1",
    ],
)
def test_a_rule_that_never_matches_does_not_hang_the_import(rule):
    data = ics(
        vevent("never@t", "30 February", "DTSTART:20300105T100000Z", f"RRULE:{rule}")
    )
    with _fails_if_it_hangs():
        report = calendar_import(data=data, dry_run=False)
    assert report.counts["skipped"] == 0
    # Only DTSTART itself, which RFC 5545 always counts as an occurrence.
    assert list(Event.objects.values_list("uid", flat=True)) == [
        "never@t/20300105T100000Z"
    ]


@pytest.mark.parametrize("frequency", ["SECONDLY", "MINUTELY", "HOURLY"])
def test_a_rule_repeating_every_hour_minute_or_second_is_refused(frequency):
    data = ics(
        vevent("fast@t", "Fast", "DTSTART:20300105T100000Z", f"RRULE:FREQ={frequency}")
    )
    report = calendar_import(data=data, dry_run=False)
    assert _outcomes(report) == {"fast@t": "skipped"}
    assert frequency in _reasons(report, "fast@t")
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        (vevent(None), "No UID"),
        (vevent("t@t", None), "No title (SUMMARY)"),
        (vevent("t@t", "x", "DTSTART:garbage"), "not a date or a time"),
        (
            vevent("t@t", "x", "DTSTART:20300105T100000Z", "DTEND:20300104T100000Z"),
            "ends before it starts",
        ),
        (
            vevent("t@t", "x", "DTSTART;VALUE=DATE:20300105", "DTEND:20300106T100000Z"),
            "both be dates",
        ),
        (vevent("t@t", "x", "DTSTART:20300105T100000Z", "RRULE:FREQ=BOGUS"), "RRULE"),
        (vevent("t" * 300, "x"), "longer than 255"),
        (vevent("t@t", "x" * 301), "longer than 300"),
    ],
)
def test_a_broken_event_is_skipped_with_its_reason(event, reason):
    report = calendar_import(data=ics(event, vevent("fine@t")), dry_run=False)
    skipped = [line for line in report.lines if line.outcome == "skipped"]
    assert len(skipped) == 1
    assert reason in " ".join(skipped[0].reasons)
    assert list(Event.objects.values_list("uid", flat=True)) == ["fine@t"]


def test_the_same_uid_twice_uses_the_first_and_says_so():
    data = ics(vevent("twice@t", "First"), vevent("twice@t", "Second"))
    report = calendar_import(data=data, dry_run=False)
    assert [line.outcome for line in report.lines] == ["created", "skipped"]
    assert "more than one event" in report.lines[1].reasons[0]
    assert Event.objects.get().title == "First"


def test_times_are_read_in_their_zones_with_notes_where_guessed():
    data = ics(
        vevent("floating@t", "Floating", "DTSTART:20300105T100000"),
        vevent(
            "windows@t",
            "Windows",
            "DTSTART;TZID=W. Europe Standard Time:20300105T100000",
        ),
        vevent("custom@t", "Custom", "DTSTART;TZID=My Zone:20300105T100000"),
        vevent(
            "vendor@t",
            "Vendor",
            "DTSTART;TZID=/mozilla.org/20050126_1/America/New_York:20300105T100000",
        ),
        head=(
            "BEGIN:VTIMEZONE",
            "TZID:My Zone",
            "BEGIN:STANDARD",
            "DTSTART:19700101T000000",
            "TZOFFSETFROM:+0300",
            "TZOFFSETTO:+0300",
            "END:STANDARD",
            "END:VTIMEZONE",
        ),
    )
    report = calendar_import(data=data, dry_run=False)
    assert report.counts["created"] == 4
    floating = Event.objects.get(uid="floating@t")
    assert floating.start == datetime(2030, 1, 5, 10, tzinfo=UTC)
    assert "read as UTC" in _reasons(report, "floating@t")
    assert Event.objects.get(uid="windows@t").timezone == "Europe/Berlin"
    custom = Event.objects.get(uid="custom@t")
    assert custom.start == datetime(2030, 1, 5, 7, tzinfo=UTC)
    assert custom.timezone == "UTC"
    assert "not an IANA name" in _reasons(report, "custom@t")
    assert Event.objects.get(uid="vendor@t").timezone == "America/New_York"
    assert any("vendor prefix" in note for note in report.notes)


def test_a_third_party_event_keeps_its_location_and_language():
    data = ics(
        vevent(
            "third@t",
            "Réunion",
            "DTSTART;VALUE=DATE:20300105",
            "DTEND;VALUE=DATE:20300107",
            "LOCATION:Palais des Nations\\, Genève",
            "CONFERENCE;VALUE=URI:https://meet.example.org/x",
            "URL:javascript:alert(1)",
            "STATUS:CANCELLED",
            "CATEGORIES:spam,Unknown topic",
        )
    )
    data = data.replace(b"SUMMARY:R", b"SUMMARY;LANGUAGE=fr-CH:R")
    from tests.factories import IssueFactory

    IssueFactory(slug="spam", name="Spam")
    report = calendar_import(data=data, dry_run=False, default_kind="workshop")
    event = Event.objects.get()
    assert (event.language, event.title_fr, event.kind) == ("fr", "Réunion", "workshop")
    assert event.venue == "Palais des Nations, Genève"
    assert event.all_day and event.end - event.start == timedelta(days=2)
    assert event.remote_url == "https://meet.example.org/x"
    assert event.url == "" and "not a web address" in _reasons(report, "third@t")
    assert event.status == "cancelled"
    assert [issue.slug for issue in event.issues.all()] == ["spam"]


def test_a_dry_run_writes_nothing_and_reports_what_would_happen():
    data = ics(vevent("a@t"), vevent("b@t", "B", None))
    report = calendar_import(data=data, dry_run=True)
    assert report.counts == {"created": 1, "updated": 0, "unchanged": 0, "skipped": 1}
    assert "Would create 1" in report.summary()
    assert not Event.objects.exists()


def test_an_import_updates_the_event_of_the_same_uid():
    calendar_import(data=ics(vevent("same@t", "Old title")), dry_run=False)
    report = calendar_import(data=ics(vevent("same@t", "New title")), dry_run=False)
    assert _outcomes(report) == {"same@t": "updated"}
    assert report.lines[0].changed == ["title_en"]
    assert Event.objects.get().title == "New title"
    assert Event.history.filter(uid="same@t").count() == 2


def test_a_failure_while_writing_leaves_nothing_written(monkeypatch):
    from clearinghouse.events import services

    calls = []
    original = services._relations_set

    def failing(event, **kwargs):
        calls.append(event.uid)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(event, **kwargs)

    monkeypatch.setattr(services, "_relations_set", failing)
    with pytest.raises(RuntimeError):
        calendar_import(data=ics(vevent("a@t"), vevent("b@t")), dry_run=False)
    assert not Event.objects.exists()


# ---- the upload page -----------------------------------------------------


def _upload(client, data: bytes, name: str = "events.ics"):
    return client.post(
        "/en/events/import/",
        {"file": SimpleUploadedFile(name, data, "text/calendar"), "kind": "workshop"},
    )


def test_the_import_page_needs_a_signed_in_secretariat(client, participant):
    response = client.get("/en/events/import/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    client.force_login(participant)
    response = client.get("/en/events/import/")
    assert response.status_code == 403
    assert "Only the secretariat" in response.content.decode()
    response = _upload(client, ics(vevent()))
    assert response.status_code == 403
    assert not Event.objects.exists()


def test_preview_then_confirm_imports_exactly_the_previewed_file(secretariat_client):
    client = secretariat_client
    assert client.get("/en/events/import/").status_code == 200
    data = ics(vevent("a@t", "Alpha"), vevent("b@t", "No start", None))
    response = _upload(client, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "would be created" in html and "No start (DTSTART)" in html
    assert not Event.objects.exists()
    digest = response.context["report"].digest
    response = client.post("/en/events/import/", {"digest": digest})
    assert response.status_code == 200
    assert "Created 1" in response.content.decode()
    event = Event.objects.get()
    assert (event.uid, event.kind) == ("a@t", "workshop")
    assert event.history.first().history_user.username == "curator"
    # The kept file is gone: confirming twice does not import twice.
    response = client.post("/en/events/import/", {"digest": digest})
    assert response.status_code == 400


def test_confirming_another_file_than_the_previewed_one_is_refused(secretariat_client):
    _upload(secretariat_client, ics(vevent("a@t")))
    response = secretariat_client.post("/en/events/import/", {"digest": "0" * 64})
    assert response.status_code == 400
    assert "no longer the one kept" in response.content.decode()
    assert not Event.objects.exists()


def test_uploading_a_bad_file_shows_why_in_a_400(secretariat_client):
    response = _upload(secretariat_client, b"not a calendar", name="events.ics")
    assert response.status_code == 400
    assert "does not start with BEGIN:VCALENDAR" in response.content.decode()


def test_uploading_20_mb_is_refused_before_parsing(secretariat_client, monkeypatch):
    def parse(*args, **kwargs):
        raise AssertionError("the parser must not see an oversized file")

    monkeypatch.setattr(icalendar.Calendar, "from_ical", parse)
    response = _upload(secretariat_client, b"BEGIN:VCALENDAR\r\n" + b"x" * (20 * 2**20))
    assert response.status_code == 400
    assert "more than 5 MB are refused" in response.content.decode()


def test_the_import_page_speaks_the_visitors_language(secretariat_client):
    response = secretariat_client.post("/fr/events/import/", {"kind": "workshop"})
    assert response.status_code == 400
    assert 'lang="fr"' in response.content.decode()
    assert "Ce champ est obligatoire" in response.content.decode()


# ---- the command ---------------------------------------------------------


def test_the_command_imports_and_dry_runs(tmp_path, capsys):
    path = tmp_path / "events.ics"
    path.write_bytes(ics(vevent("a@t"), vevent("b@t", "B", None)))
    call_command("import_ics", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "Would create 1" in out and "No start (DTSTART)" in out
    assert "Dry run: nothing was written." in out
    assert not Event.objects.exists()
    call_command("import_ics", str(path))
    assert "Created 1" in capsys.readouterr().out
    assert Event.objects.count() == 1


def test_the_command_refuses_a_bad_file_clearly(tmp_path):
    path = tmp_path / "letter.ics"
    path.write_bytes(b"Dear secretariat,")
    with pytest.raises(CommandError, match="does not start with BEGIN:VCALENDAR"):
        call_command("import_ics", str(path))
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_ics", str(tmp_path / "missing.ics"))
