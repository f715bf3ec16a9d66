"""Process set-up for long-running servers (gunicorn workers, the task worker)."""

import gc


def freeze_startup_objects() -> None:
    """Move everything loaded at start-up out of the garbage collector's sight.

    Django, the apps and their libraries leave a few hundred thousand
    long-lived objects; without this every full collection walks them all,
    which costs tens of milliseconds on pages that allocate many rows.
    Called once the application is loaded (see wsgi.py), as the Python
    documentation recommends for pre-forked servers (gc.freeze).
    """
    gc.collect()
    gc.freeze()
