"""Run the jobs waiting in the configured task queue, in the test's own process.

The embedded default's queue is a database table (django-tasks-db); under
`make test-scale` it is Redis (RQ). Either way the jobs run here, inside the
test's transaction, so they see the rows the test made and are rolled back
with them. (RQ's own `rqworker` command closes every database connection
before it forks, which would end that transaction: the worker is built
directly, as the non-forking `SimpleWorker`.)
"""

from django.conf import settings
from django.core.management import call_command

from clearinghouse.core.management.commands.worker import RQ_BACKEND


def run_queued_jobs() -> None:
    """Run every job queued now, then return."""
    queues = settings.TASKS["default"].get("QUEUES", ["default"])
    if settings.TASKS["default"]["BACKEND"] == RQ_BACKEND:
        import django_rq
        from rq.worker import SimpleWorker

        worker = django_rq.get_worker(
            *queues, job_class="django_tasks_rq.Job", worker_class=SimpleWorker
        )
        worker.work(burst=True, with_scheduler=False)
    else:
        call_command(
            "db_worker",
            batch=True,
            startup_delay=False,
            queue_name=",".join(queues),
            verbosity=0,
        )
