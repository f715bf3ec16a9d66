"""Benchmark bench/filters: the consensus map at 300 issues × 5,000 assessments.

Target (median, SQLite, Django test client, no network): the consensus map
page across all issues in ≤ 300 ms as it is served (the map cached per data
version: every request reads the fingerprint, so it is never stale). Also
reported, and checked against the same 300 ms: the page with its cache emptied
before every run, and the selector alone; then the API collection
`filters/consensus`, one issue's map, the CSV export of the map, and the number
of SQL queries of the map.

Run: `make bench` or `.venv/bin/python -m bench filters`. Smaller sizes:
`FILTERS_BENCH_ISSUES=30 FILTERS_BENCH_ASSESSMENTS=500 python -m bench filters`.
Results are printed and written to bench/results/filters.json.
"""

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.common import report, taxonomy_create
from bench.matrix import _setup_django, _time

ISSUES = int(os.environ.get("FILTERS_BENCH_ISSUES", "300"))
ASSESSMENTS = int(os.environ.get("FILTERS_BENCH_ASSESSMENTS", "5000"))
AREAS = 12
RUNS = 15
COLD_RUNS = 7  # each uncached run rebuilds the whole map
TARGETS = {"consensus_map_ms": 300.0}
REPORTED = ("consensus_map_uncached_ms", "consensus_map_selector_ms")
DATA = Path(__file__).resolve().parent.parent / "data" / "forum2004"


def _populate(assessments: int, *, seed: int = 2004) -> None:
    """Synthetic issues and assessments, each issue leaning one way per group."""
    from clearinghouse.core.models import StakeholderGroup
    from clearinghouse.filters import selectors
    from clearinghouse.filters.dataset import version_from_files
    from clearinghouse.filters.models import Answer, AnswerRecord, Assessment
    from clearinghouse.filters.rules import MatrixFacts, evaluate

    rng = random.Random(seed)
    version = version_from_files(DATA)
    questions = selectors.version_questions(version)
    infos = selectors.question_infos(questions)
    rules = {r.pk: r for r in selectors.version_rules(version)}
    rule_infos = selectors.rule_infos(list(rules.values()))
    areas, issues = taxonomy_create(AREAS, ISSUES)
    groups = StakeholderGroup.values
    values = Answer.values
    lean = {
        (issue.pk, group, q.key): rng.choice(values)
        for issue in issues
        for group in groups
        for q in questions
    }
    rows, answer_sets = [], []
    for n in range(assessments):
        issue = issues[n % len(issues)]
        group = rng.choice(groups)
        given = {
            q.key: lean[(issue.pk, group, q.key)]
            if rng.random() < 0.7
            else rng.choice(values)
            for q in questions
        }
        verdict = evaluate(
            rules=rule_infos, questions=infos, answers=given, facts=MatrixFacts()
        )
        rows.append(
            Assessment(
                issue=issue,
                version=version,
                stakeholder_group=group,
                outcome=verdict.outcome,
                rule_id=verdict.rule.pk if verdict.rule else None,
                answer_values=given,
            )
        )
        answer_sets.append(given)
    created = Assessment.objects.bulk_create(rows, batch_size=1000)
    AnswerRecord.objects.bulk_create(
        (
            AnswerRecord(
                assessment=assessment,
                question=question,
                key=question.key,
                value=given[question.key],
                rationale="Synthetic rationale."
                if given[question.key] != "dont_know"
                else "",
            )
            for assessment, given in zip(created, answer_sets, strict=True)
            for question in questions
        ),
        batch_size=2000,
    )


def _stats(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median": round(statistics.median(values), 1),
        "p95": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 1),
    }


def main() -> bool:
    """Build the synthetic assessments, measure, print; True when targets hold."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-filters-"))
    _setup_django(tmp / "bench.sqlite3")
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.utils import translation

    setup_test_environment()
    call_command("migrate", verbosity=0)
    client = Client()
    client.get("/en/")

    from clearinghouse.filters import selectors

    started = time.perf_counter()
    _populate(ASSESSMENTS)
    populate_s = time.perf_counter() - started

    translation.activate("en")
    selector = []
    for _ in range(COLD_RUNS):
        start = time.perf_counter()
        result = selectors.consensus_map()
        selector.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as captured:
        selectors.consensus_map()
    map_queries = len(captured)

    page_cold, page_queries = _time(client, "/en/filters/", COLD_RUNS, cold=True)
    page_warm, _q = _time(client, "/en/filters/", RUNS)
    api_cold, _q = _time(client, "/api/v1/filters/consensus", COLD_RUNS, cold=True)
    issue_page, _q = _time(
        client, f"/en/filters/issues/issue-{min(42, ISSUES - 1):04d}/", RUNS
    )
    csv_cold, _q = _time(client, "/en/filters/export/consensus/csv/", 5, cold=True)
    cache.clear()

    results = {
        "size": {
            "issues": ISSUES,
            "assessments": ASSESSMENTS,
            "answers": ASSESSMENTS * 8,
            "assessed_issues": len(result.issues),
        },
        "runs": RUNS,
        "uncached_runs": COLD_RUNS,
        "populate_s": round(populate_s, 1),
        "consensus_map_selector_ms": _stats(selector),
        "consensus_map_uncached_ms": _stats(page_cold),
        "consensus_map_ms": _stats(page_warm),
        "api_consensus_uncached_ms": _stats(api_cold),
        "issue_map_ms": _stats(issue_page),
        "consensus_csv_uncached_ms": _stats(csv_cold),
        "queries": {"consensus_map": map_queries, "page_uncached": page_queries},
    }
    ok = {
        "consensus_map_ms": results["consensus_map_ms"]["median"]
        <= TARGETS["consensus_map_ms"],
    }
    return report("filters", results, ok)


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
