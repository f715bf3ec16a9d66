"""Benchmark bench/matrix: the matrix at 300 issues × 1,000 institutions × 20,000
mandates on SQLite.

Targets (median server time, Django test client, no network):
- the full matrix page in ≤ 300 ms as served (the computed summary is cached
  per data version); the cold time (cache emptied before every request, as
  after each edit) is reported beside it;
- the CSV export of the full matrix in ≤ 1 s;
- the number of SQL queries for the page independent of the matrix size.

Run: `make bench` or `.venv/bin/python -m bench matrix`. Results are printed
and written to bench/results/matrix.json.
"""

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.common import report, taxonomy_create

ISSUES, AREAS, INSTITUTIONS, MANDATES = 300, 12, 1000, 20_000
RUNS = 15
TARGETS = {"page_ms": 300.0, "csv_ms": 1000.0}


def _setup_django(db_path: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clearinghouse.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.conf import settings

    # Pages render without a collectstatic manifest here.
    settings.STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }


def _populate(*, issues: int, institutions: int, mandates: int, seed: int = 2004):
    """Fill the database with a synthetic matrix of the given size."""
    from clearinghouse.actors.models import Institution
    from clearinghouse.core.models import StakeholderGroup
    from clearinghouse.matrix.models import Concern, Mandate, MandateStatus, RoleCode
    from clearinghouse.taxonomy.models import Area, Issue

    rng = random.Random(seed)
    Mandate.roles.through.objects.all().delete()
    Concern.objects.all().delete()
    Mandate.objects.all().delete()
    Issue.objects.all().delete()
    Area.objects.all().delete()
    Institution.objects.all().delete()
    areas, issue_rows = taxonomy_create(AREAS, issues)
    groups = StakeholderGroup.values
    institution_rows = Institution.objects.bulk_create(
        Institution(
            slug=f"institution-{n:04d}",
            name_en=f"Institution number {n}",
            acronym=f"I{n}",
            kind="intergovernmental",
            stakeholder_group=groups[n % len(groups)],
            scope="global",
            source_url="https://x.org/",
        )
        for n in range(institutions)
    )
    cells = rng.sample(range(issues * institutions), mandates)
    statuses = [MandateStatus.ACTIVE] * 8 + [
        MandateStatus.PROPOSED,
        MandateStatus.ENDED,
    ]
    mandate_rows = Mandate.objects.bulk_create(
        (
            Mandate(
                issue=issue_rows[cell // institutions],
                institution=institution_rows[cell % institutions],
                status=rng.choice(statuses),
                since_year=rng.choice([None, 1995, 2003, 2010]),
                source_quote="Synthetic evidence.",
            )
            for cell in cells
        ),
        batch_size=2000,
    )
    roles = RoleCode.values
    Through = Mandate.roles.through
    Through.objects.bulk_create(
        (
            Through(mandate_id=mandate.pk, role_id=role)
            for mandate in mandate_rows
            for role in rng.sample(roles, rng.choice([1, 1, 2, 3]))
        ),
        batch_size=5000,
    )
    Concern.objects.bulk_create(
        Concern(
            kind="legitimacy",
            mandate=mandate,
            summary_en="Synthetic concern.",
            source_quote="Synthetic.",
        )
        for mandate in rng.sample(mandate_rows, mandates // 50)
    )


def _time(client, url: str, runs: int, *, cold: bool = False):
    """Timings in ms and the query count of the last run; cold: empty cache."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []
    queries = 0
    for _ in range(runs):
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            body = response.content  # streaming or not, include rendering
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        assert body
        queries = len(captured)
    return timings, queries


def main() -> bool:
    """Build the synthetic matrix, measure, print; True when every target holds."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-matrix-"))
    _setup_django(tmp / "bench.sqlite3")
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    client = Client()

    from clearinghouse.core.runtime import freeze_startup_objects

    # As wsgi.py does in a served process, once the app is loaded.
    client.get("/en/")
    freeze_startup_objects()

    # A small matrix that is still summarised (more institutions than columns).
    _populate(issues=30, institutions=100, mandates=400)
    _t, small_cold_queries = _time(client, "/en/matrix/", 3, cold=True)
    _t, small_warm_queries = _time(client, "/en/matrix/", 3)

    started = time.perf_counter()
    _populate(issues=ISSUES, institutions=INSTITUTIONS, mandates=MANDATES)
    populate_s = time.perf_counter() - started
    cold, cold_queries = _time(client, "/en/matrix/", RUNS, cold=True)
    page, page_queries = _time(client, "/en/matrix/", RUNS)
    csv_times, _ = _time(client, "/en/matrix/export/csv/", RUNS)
    filtered, _ = _time(client, "/en/matrix/?group=civil_society&status=active", RUNS)
    page_bytes = len(client.get("/en/matrix/").content)
    gzip_bytes = len(client.get("/en/matrix/", HTTP_ACCEPT_ENCODING="gzip").content)

    def stats(values: list[float]) -> dict[str, float]:
        ordered = sorted(values)
        return {
            "median": round(statistics.median(values), 1),
            "p90": round(ordered[int(len(ordered) * 0.9)], 1),
        }

    results = {
        "size": {"issues": ISSUES, "institutions": INSTITUTIONS, "mandates": MANDATES},
        "runs": RUNS,
        "populate_s": round(populate_s, 1),
        "page_ms": stats(page),
        "page_cold_ms": stats(cold),
        "csv_ms": stats(csv_times),
        "filtered_page_ms": stats(filtered),
        "page_kib": round(page_bytes / 1024),
        "page_gzip_kib": round(gzip_bytes / 1024),
        "queries": {
            "small_cold": small_cold_queries,
            "full_cold": cold_queries,
            "small_warm": small_warm_queries,
            "full_warm": page_queries,
        },
    }
    ok = {
        "page_ms": results["page_ms"]["median"] <= TARGETS["page_ms"],
        "csv_ms": results["csv_ms"]["median"] <= TARGETS["csv_ms"],
        "queries": small_cold_queries == cold_queries
        and small_warm_queries == page_queries,
    }
    return report("matrix", results, ok)


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
