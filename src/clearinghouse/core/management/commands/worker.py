"""Run a background worker for whichever task queue is configured."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

RQ_BACKEND = "django_tasks_rq.RQBackend"


class Command(BaseCommand):
    help = (
        "Run background jobs (harvests, indexing, e-mail, syntheses): "
        "django-tasks-db's worker on the embedded default, an RQ worker when the "
        "queue is Redis (REDIS_URL). Start as many as you like, on any machine."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--burst",
            action="store_true",
            help="Run the jobs waiting now, then stop.",
        )

    def handle(self, *args, burst: bool = False, **options):
        backend = settings.TASKS["default"]["BACKEND"]
        queues = settings.TASKS["default"].get("QUEUES", ["default"])
        if backend == RQ_BACKEND:
            call_command(
                "rqworker",
                *queues,
                job_class="django_tasks_rq.Job",
                burst=burst,
                with_scheduler=not burst,
            )
        else:
            call_command(
                "db_worker",
                batch=burst,
                startup_delay=not burst,
                queue_name=",".join(queues),
            )
