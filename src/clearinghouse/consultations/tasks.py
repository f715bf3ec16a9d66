"""Background jobs of the consultations (django-tasks)."""

from django_tasks import task

from .models import Consultation, Synthesis
from .synthesis import synthesis_store


@task()
def synthesis_compute(consultation_id: int) -> int | None:
    """Recompute a consultation's synthesis unless the stored one is current."""
    consultation = Consultation.objects.filter(pk=consultation_id).first()
    if consultation is None:
        return None
    stored = (
        Synthesis.objects.filter(consultation=consultation)
        .values_list("version", flat=True)
        .first()
    )
    if stored == consultation.data_version:
        return stored
    return synthesis_store(consultation=consultation).version
