"""Benchmark bench/consultation: the synthesis at 10,000 participants, 500
statements and 1,000,000 votes, on SQLite.

Targets:
- the synthesis with clustering computes in ≤ 10 s (synthesis_store: reads
  the votes, counts by stakeholder group, finds commonality and division,
  PCA + k-means + silhouette, stores the result);
- the synthesis page, served from the stored result, in ≤ 100 ms (median;
  the first view after a new synthesis renders and caches the page, and is
  reported apart as first_render).

The votes are generated from three latent opinion groups (each participant
agrees with probability 0.8 with statements their group favours), so the
clustering has structure to find; the number of groups found is reported.

Size: `CONSULTATION_BENCH_SCALE=0.1` divides participants and votes by ten.
Run: `.venv/bin/python -m bench consultation`. Results are printed and
written to bench/results/consultation.json.
"""

import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from itertools import repeat
from pathlib import Path

from bench.matrix import _setup_django, _time

SCALE = float(os.environ.get("CONSULTATION_BENCH_SCALE", "1"))
PARTICIPANTS = max(50, round(10_000 * SCALE))
STATEMENTS = 500
VOTES = max(500, round(1_000_000 * SCALE))
RUNS = 41
TARGETS = {"synthesis_s": 10.0, "page_ms": 100.0}
GROUPS = [
    "governments",
    "private_sector",
    "civil_society",
    "academia",
    "technical_community",
    "intergovernmental",
]


def _populate(seed: int = 2004):
    """Participants with profiles, one consultation, statements and votes."""
    import numpy as np
    from django.contrib.auth.models import User
    from django.db import connection, transaction

    from clearinghouse.consultations.models import (
        Consultation,
        Contribution,
        Question,
        QuestionKind,
        Status,
        Vote,
    )
    from clearinghouse.core.models import Country, Profile

    rng = np.random.default_rng(seed)
    now = datetime.now(UTC)
    consultation = Consultation.objects.create(
        slug="bench",
        title="Benchmark consultation",
        opens_at=now - timedelta(days=10),
        closes_at=now + timedelta(days=10),
    )
    question = Question.objects.create(
        consultation=consultation, kind=QuestionKind.STATEMENTS, text="Statements"
    )
    countries = list(Country.objects.values_list("pk", flat=True))
    with transaction.atomic():
        users = User.objects.bulk_create(
            # "!" is Django's unusable password: these accounts cannot sign in.
            User(username=f"p{n}", email=f"p{n}@example.org", password="!")  # noqa: S106
            for n in range(PARTICIPANTS)
        )
        Profile.objects.bulk_create(
            Profile(
                user=user,
                stakeholder_group=GROUPS[n % len(GROUPS)],
                country_id=countries[int(rng.integers(len(countries)))],
                email_verified_at=now,
            )
            for n, user in enumerate(users)
        )
        statements = Contribution.objects.bulk_create(
            Contribution(
                question=question,
                kind="statement",
                author=users[n % len(users)],
                body=f"Statement number {n} on the governance of the Internet.",
                language="en",
                status=Status.PUBLISHED,
            )
            for n in range(STATEMENTS)
        )
    user_ids = np.array([u.pk for u in users])
    statement_ids = np.array([s.pk for s in statements])
    # Three opinion groups; each favours a third of the statements.
    opinion = rng.integers(3, size=PARTICIPANTS)
    favoured = rng.integers(3, size=STATEMENTS)
    per_person = VOTES // PARTICIPANTS
    # Each participant votes on per_person distinct statements.
    chosen = rng.random((PARTICIPANTS, STATEMENTS)).argsort(axis=1)[:, :per_person]
    agree = np.where(favoured[chosen] == opinion[:, None], 0.8, 0.25)
    draws = rng.random(chosen.shape)
    values = np.where(draws < agree, 1, np.where(draws < 0.9, -1, 0))
    rows = zip(
        statement_ids[chosen].ravel().tolist(),
        np.repeat(user_ids, per_person).tolist(),
        values.ravel().tolist(),
        repeat(consultation.pk),
        repeat(now.isoformat()),
        strict=False,
    )
    table = connection.ops.quote_name(Vote._meta.db_table)
    sql = (
        f"INSERT INTO {table} (statement_id, participant_id, value, "  # noqa: S608 - table name from the model
        "consultation_id, voted_at) VALUES (%s, %s, %s, %s, %s)"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Room for the vote indexes while they are filled (half the CPU
            # time at full size); the measurements run with the default.
            cursor.execute("PRAGMA cache_size = -262144")
        cursor.executemany(sql, rows)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -2000")
    inserted = PARTICIPANTS * per_person
    Consultation.objects.filter(pk=consultation.pk).update(data_version=1)
    consultation.refresh_from_db()
    return consultation, inserted


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="bench-consultation-"))
    _setup_django(tmp / "bench.sqlite3")
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    from clearinghouse.consultations.synthesis import synthesis_store
    from clearinghouse.core.runtime import freeze_startup_objects

    started = time.perf_counter()
    consultation, votes = _populate()
    populate_s = time.perf_counter() - started

    runs, cpu = [], []
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        synthesis = synthesis_store(consultation=consultation)
        runs.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    data = synthesis.data
    del synthesis
    client = Client()
    # As wsgi.py does in a served process, once the app is loaded.
    client.get("/en/")
    freeze_startup_objects()
    url = "/en/consultations/bench/synthesis/"
    # The first view after a new synthesis renders it; the others are cached.
    cold, _queries = _time(client, url, 1, cold=True)
    timings, queries = _time(client, url, RUNS)
    timings.sort()
    opinion = data.get("opinion_groups") or {}
    results = {
        "participants": data["participants"],
        "statements": len(data["statements"]),
        "votes": votes,
        "populate_s": round(populate_s, 1),
        "synthesis_s": {
            "median": round(statistics.median(runs), 2),
            "max": round(max(runs), 2),
            # CPU time of this process: wall time minus waiting for the machine.
            "cpu_median": round(statistics.median(cpu), 2),
        },
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "opinion_groups": {
            "k": opinion.get("k"),
            "silhouette": opinion.get("silhouette"),
            "sizes": [g["size"] for g in opinion.get("groups", [])],
        },
        "commonality": len(data["commonality"]),
        "divisive": len(data["divisive"]),
        "page_ms": {
            "first_render": round(cold[0], 1),
            "median": round(statistics.median(timings), 1),
            "p95": round(timings[int(len(timings) * 0.95)], 1),
            "queries": queries,
        },
    }
    ok = (
        results["synthesis_s"]["median"] <= TARGETS["synthesis_s"]
        and results["page_ms"]["median"] <= TARGETS["page_ms"]
    )
    results["targets"] = TARGETS
    results["targets_met"] = ok
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "consultation.json").write_text(json.dumps(results, indent=1))
    print("bench/consultation:", json.dumps(results, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
