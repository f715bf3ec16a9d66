"""Pieces every benchmark shares: a generated taxonomy and the report."""

import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def taxonomy_create(areas: int, issues: int):
    """`areas` areas and `issues` issues spread over them; returns both lists."""
    from clearinghouse.taxonomy.models import Area, Issue

    created_areas = Area.objects.bulk_create(
        Area(
            slug=f"area-{n}", name_en=f"Area {n}", order=n, source_url="https://x.org/"
        )
        for n in range(areas)
    )
    created_issues = Issue.objects.bulk_create(
        Issue(
            slug=f"issue-{n:04d}",
            name_en=f"Issue number {n}",
            area=created_areas[n % areas],
            source_url="https://x.org/",
        )
        for n in range(issues)
    )
    return created_areas, created_issues


def report(name: str, results: dict, ok: dict[str, bool]) -> bool:
    """Write bench/results/<name>.json, print the figures and each target's
    outcome; True when every target is met."""
    results["targets_met"] = ok
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=1))
    print(f"bench/{name}:", json.dumps(results, indent=1))
    for target, met in ok.items():
        print(
            f"  {target}: {'met' if met else 'MISSED'}",
            file=sys.stderr if not met else sys.stdout,
        )
    return all(ok.values())
