"""Run schemathesis (every phase) against the API through WSGI; print a JSON summary.

Started by tests/security/test_schemathesis.py in a process of its own, with
DATABASE_URL naming a fresh SQLite file: it migrates, loads the reference data
and the Forum 2004 dataset, adds a few library documents and a consultation
(tests/site_data.py), then fuzzes /api/v1/openapi.json and reports the
number of requests, the server errors and every failed check.

    python -m tests.security.schemathesis_run <max-examples per operation>
"""

import json
import sys
from collections import Counter


def main(max_examples: int, path_regex: str | None = None) -> dict:
    import logging

    import django

    django.setup()
    # Thousands of refused requests would each log a warning.
    logging.disable(logging.WARNING)
    from django.conf import settings

    # The error pages link the stylesheet; no collectstatic ran for this copy.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    call_command("load_forum2004", verbosity=0)
    from tests.site_data import prepare

    prepare()

    import schemathesis
    from django.core.wsgi import get_wsgi_application
    from schemathesis.config import SchemathesisConfig
    from schemathesis.engine import events, from_schema

    checks = {
        name: {"enabled": True}
        for name in (
            "not_a_server_error",
            "status_code_conformance",
            "content_type_conformance",
            "response_schema_conformance",
            "response_headers_conformance",
            "negative_data_rejection",
        )
    }
    config = SchemathesisConfig.from_dict(
        {
            "seed": 2004,
            "workers": 1,
            "continue-on-failure": True,
            "generation": {"max-examples": max_examples, "database": "none"},
            "checks": {"enabled": False, **checks},
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": True, "max-steps": max_examples},
            },
        }
    )
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", get_wsgi_application(), config=config
    )
    if path_regex:
        schema = schema.include(path_regex=path_regex)
    requests, statuses, failures, phases = 0, Counter(), [], Counter()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            for interaction in event.recorder.interactions.values():
                requests += 1
                phases[str(event.phase)] += 1
                if interaction.response is not None:
                    statuses[interaction.response.status_code // 100] += 1
            for case_id, nodes in event.recorder.checks.items():
                for node in nodes:
                    if node.failure_info is None:
                        continue
                    case = event.recorder.cases[case_id].value
                    failures.append(
                        f"{case.operation.label} [{node.name}] "
                        f"{node.failure_info.failure.title}: "
                        f"{node.failure_info.failure.message[:300]} "
                        f"{case.as_curl_command()[:400]}"
                    )
        elif isinstance(event, events.NonFatalError):
            failures.append(f"error in {event.label}: {event.value!r}"[:600])
        elif isinstance(event, events.FatalError):
            failures.append(f"fatal: {event.exception!r}"[:600])
    return {
        "requests": requests,
        "by_phase": dict(phases),
        "by_status_class": {f"{k}xx": v for k, v in sorted(statuses.items())},
        "failures": sorted(set(failures)),
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), *sys.argv[2:3])))
