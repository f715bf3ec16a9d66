"""Writes of federation: registering and approving sources, running harvests."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clearinghouse.core.fetch import FetchError, FetchRefused, check_url
from clearinghouse.core.runtime import fewer_collections
from clearinghouse.core.sqlite_checkpoints import checkpoints_beside

from .feeds_in import CalendarHarvester, FeedHarvester
from .harvesting import HarvestContext, Harvester, HarvestFailed
from .models import HarvestRun, RunStatus, Source, SourceKind, SourceStatus
from .oai import OaiPmhHarvester
from .partner_api import ClearinghouseHarvester

logger = logging.getLogger(__name__)

HARVESTERS: dict[str, type[Harvester]] = {
    SourceKind.OAI_PMH: OaiPmhHarvester,
    SourceKind.FEED: FeedHarvester,
    SourceKind.ICALENDAR: CalendarHarvester,
    SourceKind.CLEARINGHOUSE: ClearinghouseHarvester,
}


def _check_public(url: str) -> None:
    """A registered address must be fetchable: http(s) to a public address."""
    if settings.FEDERATION_ALLOW_LOOPBACK:
        return
    try:
        check_url(url)
    except FetchRefused as error:
        raise ValidationError({"url": error.message}) from error
    except FetchError:
        # A name that does not resolve now may later; every harvest checks again.
        pass


@transaction.atomic
def source_create(
    *,
    name: str,
    kind: str,
    url: str,
    institution,
    by=None,
    issues: Iterable = (),
    **values,
) -> Source:
    """Register a partner source; it waits for the secretariat's approval."""
    source = Source(
        name=name,
        kind=kind,
        url=url,
        institution=institution,
        proposed_by=by,
        status=SourceStatus.PROPOSED,
        **values,
    )
    source.full_clean()
    if kind not in HARVESTERS:
        raise ValidationError(
            {"kind": _("This kind of source cannot be harvested yet.")}
        )
    _check_public(url)
    source.save()
    source.default_issues.set(issues)
    return source


@transaction.atomic
def source_approve(*, source: Source, by) -> Source:
    """Approve (or re-activate) a source; its first harvest is queued."""
    source.status = SourceStatus.ACTIVE
    source.approved_by = by
    source.approved_at = timezone.now()
    source.consecutive_failures = 0
    source.notice = ""
    source.next_harvest_at = timezone.now()
    source.full_clean()
    source.save()
    from .tasks import harvest_source_task

    transaction.on_commit(lambda: harvest_source_task.enqueue(source.pk))
    return source


@transaction.atomic
def source_pause(*, source: Source, notice: str) -> Source:
    """Stop harvesting a source, saying why."""
    source.status = SourceStatus.PAUSED
    source.notice = notice[:2000]
    source.save(update_fields=["status", "notice", "updated_at"])
    return source


def _lease(source: Source) -> str | None:
    """Take the source's harvest lock; None when another harvest holds it.

    One conditional UPDATE: atomic on SQLite and PostgreSQL alike, and a lease
    that a crashed worker left behind expires by itself.
    """
    token = uuid.uuid4().hex
    now = timezone.now()
    taken = Source.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now), pk=source.pk
    ).update(
        lease_until=now + timedelta(seconds=settings.FEDERATION_LEASE_SECONDS),
        lease_token=token,
    )
    return token if taken else None


def _renew(source: Source, token: str) -> bool:
    """Extend the lock this harvest holds; False if it has lost it."""
    return bool(
        Source.objects.filter(pk=source.pk, lease_token=token).update(
            lease_until=timezone.now()
            + timedelta(seconds=settings.FEDERATION_LEASE_SECONDS)
        )
    )


def _close_abandoned_runs(source: Source) -> None:
    """End the runs of a worker that stopped mid-harvest (its lock expired).

    What such a run wrote stays: each page was committed whole, and the
    harvest now starting takes the listing up again from the same cursor.
    """
    for run in HarvestRun.objects.filter(
        source=source, status=RunStatus.RUNNING, finished_at__isnull=True
    ):
        run.status = RunStatus.FAILED
        run.complete = False
        run.finished_at = timezone.now()
        run.errors = [
            *run.errors,
            {
                "record": "",
                "message": _(
                    "The worker running this harvest stopped before it finished; "
                    "a later harvest took the source over."
                ),
            },
        ]
        run.save(update_fields=["status", "complete", "finished_at", "errors"])


def _release(source: Source, token: str) -> None:
    Source.objects.filter(pk=source.pk, lease_token=token).update(
        lease_until=None, lease_token=""
    )


def _schedule(source: Source, run: HarvestRun) -> None:
    """After a run: next time, failures, a pause with a notice if it keeps failing."""
    now = timezone.now()
    fields = ["consecutive_failures", "next_harvest_at", "cursor", "etag"]
    fields += ["last_modified", "last_success_at", "status", "notice", "updated_at"]
    fresh = Source.objects.get(pk=source.pk)
    fresh.cursor, fresh.etag = source.cursor, source.etag
    fresh.last_modified = source.last_modified
    if run.status == RunStatus.FAILED:
        fresh.consecutive_failures += 1
        backoff = timedelta(
            minutes=settings.FEDERATION_BACKOFF_MINUTES
            * 2 ** (fresh.consecutive_failures - 1)
        )
        fresh.next_harvest_at = now + min(
            backoff, timedelta(hours=fresh.interval_hours)
        )
        if fresh.consecutive_failures >= settings.FEDERATION_PAUSE_AFTER_FAILURES:
            fresh.status = SourceStatus.PAUSED
            last = run.errors[-1]["message"] if run.errors else ""
            fresh.notice = _(
                "Paused after %(count)s failed harvests in a row. Last error: %(error)s"
            ) % {"count": fresh.consecutive_failures, "error": last}
            logger.warning(
                "federation.source.paused",
                extra={"source": fresh.pk, "failures": fresh.consecutive_failures},
            )
    else:
        fresh.consecutive_failures = 0
        fresh.last_success_at = now
        fresh.next_harvest_at = now + timedelta(hours=fresh.interval_hours)
    fresh.save(update_fields=fields)
    source.refresh_from_db()


@fewer_collections()
def source_harvest(*, source: Source, dry_run: bool = False, sleep=None) -> HarvestRun:
    """Harvest one source now and log the run.

    Never raises for a broken source: its failure is the run's status and
    errors. A dry run rolls every write back and leaves the schedule as it
    was; its log is kept, marked as a dry run. When another harvest of the
    same source holds the lock, the run is logged as skipped.
    """
    run = HarvestRun(source=source, started_at=timezone.now(), dry_run=dry_run)
    token = _lease(source)
    if token is None:
        run.status = RunStatus.SKIPPED
        run.finished_at = timezone.now()
        run.errors = [{"record": "", "message": _("Another harvest is running.")}]
        run.save()
        return run
    try:
        _close_abandoned_runs(source)
        run.save()
        context = HarvestContext(
            source=source,
            run=run,
            dry_run=dry_run,
            allow_loopback=settings.FEDERATION_ALLOW_LOOPBACK,
        )
        if not dry_run:
            context.keep_lease = lambda: _renew(source, token)
        if sleep is not None:
            context.sleep = sleep
        harvester = HARVESTERS[source.kind]()
        context.start_indexing_process()
        try:
            if dry_run:
                with transaction.atomic():
                    harvester.harvest(context)
                    context.flush()
                    transaction.set_rollback(True)
            else:
                # Each page commits as it comes: a later failure keeps what the
                # source already gave, and withdraws nothing.
                with checkpoints_beside(connection) as checkpoints:
                    context.checkpoints = checkpoints
                    harvester.harvest(context)
                    context.flush()
            run.status = RunStatus.PARTIAL if run.errors else RunStatus.SUCCEEDED
        except HarvestFailed as error:
            # What was written before the failure stays (it is what the source
            # said); nothing is withdrawn, and the cursor does not move.
            run.complete = False
            context.error(error.message, record=error.record)
            run.status = RunStatus.FAILED
        except Exception as error:  # noqa: BLE001 (one source must not stop the others)
            run.complete = False
            logger.exception("federation.harvest.crashed", extra={"source": source.pk})
            context.error(
                _("The harvest stopped on an unexpected error (%(error)s).")
                % {"error": type(error).__name__}
            )
            run.status = RunStatus.FAILED
        finally:
            context.connections.close()
        # What was written is indexed, whether the harvest succeeded or not.
        context.index()
        run.finished_at = timezone.now()
        run.save()
        if not dry_run:
            _schedule(source, run)
    finally:
        _release(source, token)
    logger.info(
        "federation.harvest.finished",
        extra={
            "source": source.pk,
            "status": run.status,
            "counts": {
                "fetched": run.fetched,
                "created": run.created,
                "updated": run.updated,
                "deleted": run.deleted,
            },
        },
    )
    return run


def sources_harvest_due(*, dry_run: bool = False) -> list[HarvestRun]:
    """Harvest every active source whose time has come, one after the other."""
    runs = []
    for source in Source.objects.due(timezone.now()).order_by("next_harvest_at", "pk"):
        runs.append(source_harvest(source=source, dry_run=dry_run))
    return runs
