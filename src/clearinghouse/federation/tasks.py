"""Background jobs of federation, on the project's task queue (django-tasks)."""

from django_tasks import task


@task()
def harvest_source_task(source_id: int) -> str:
    """Harvest one source in the worker; returns the run's status."""
    from .models import Source, SourceStatus
    from .services import source_harvest

    source = Source.objects.filter(pk=source_id, status=SourceStatus.ACTIVE).first()
    if source is None:
        return "not-active"
    return source_harvest(source=source).status


@task()
def harvest_due_task() -> int:
    """Queue a harvest of every due source; returns how many were queued."""
    from django.utils import timezone

    from .models import Source

    ids = list(Source.objects.due(timezone.now()).values_list("pk", flat=True))
    for pk in ids:
        harvest_source_task.enqueue(pk)
    return len(ids)
