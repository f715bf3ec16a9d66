"""Tasks the scale-out tests enqueue (importable by a worker process)."""

from pathlib import Path

from django_tasks import task


@task()
def write_file(path: str, text: str) -> str:
    Path(path).write_text(text, encoding="utf-8")
    return text.upper()
