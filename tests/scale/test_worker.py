"""The distributed queue: jobs enqueued through the task API, run by RQ
workers in other processes, against the Redis server of `make test-scale`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django_tasks import task_backends
from django_tasks.base import TaskResultStatus

from .jobs import write_file

pytestmark = pytest.mark.scale
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_queue(settings):
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.fail("REDIS_URL is not set: run these tests with `make test-scale`.")
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}
    }
    return url


def _worker(url: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "REDIS_URL": url,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "clearinghouse.settings",
    }
    return subprocess.run(
        [sys.executable, "-m", "clearinghouse.cli", "worker", "--burst"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_settings_pick_redis_queue_when_redis_url_is_set():
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend"
    assert settings.RQ_QUEUES["default"]["URL"] == os.environ["REDIS_URL"]


def test_a_worker_in_another_process_runs_the_job(redis_queue, tmp_path):
    target = tmp_path / "out.txt"
    result = write_file.enqueue(str(target), "résumé 中文")
    assert type(task_backends["default"]).__name__ == "RQBackend"
    worker = _worker(redis_queue)
    assert worker.returncode == 0, worker.stderr
    assert target.read_text(encoding="utf-8") == "résumé 中文"
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == "RÉSUMÉ 中文"


def test_a_failing_job_is_recorded_as_failed_and_the_worker_lives_on(
    redis_queue, tmp_path
):
    bad = write_file.enqueue(str(tmp_path / "missing" / "dir" / "x.txt"), "x")
    good = write_file.enqueue(str(tmp_path / "ok.txt"), "ok")
    worker = _worker(redis_queue)
    assert worker.returncode == 0, worker.stderr
    bad.refresh()
    good.refresh()
    assert bad.status == TaskResultStatus.FAILED
    assert good.status == TaskResultStatus.SUCCESSFUL
