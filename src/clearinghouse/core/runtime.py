"""Process set-up for long-running servers (gunicorn workers, the task worker),
and the garbage collector's pace during long batch jobs."""

import gc
import threading
from contextlib import contextmanager


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


# The collector's first threshold during a long batch job (`fewer_collections`).
BATCH_YOUNG_THRESHOLD = 50_000
_batch_lock = threading.Lock()
_batch_jobs = 0
_saved_thresholds: tuple[int, ...] = ()


@contextmanager
def fewer_collections():
    """Run the cyclic garbage collector less often during a long batch job.

    CPython collects the young generation whenever allocations outnumber
    frees by 700. A harvest allocates a few dozen short-lived containers a
    record (dicts, tuples, lists) and frees them again, so the collector ran
    every few records and found next to nothing: about a tenth of the
    harvest's CPU (decision record 0007, §31). Inside this context the first
    threshold is 50,000; reference cycles, if any, are still collected, later.
    The thresholds are the process's: they are raised by the first of
    concurrent jobs and restored when the last one ends.
    """
    global _batch_jobs, _saved_thresholds
    with _batch_lock:
        if _batch_jobs == 0:
            _saved_thresholds = gc.get_threshold()
            young, *older = _saved_thresholds
            gc.set_threshold(max(young, BATCH_YOUNG_THRESHOLD), *older)
        _batch_jobs += 1
    try:
        yield
    finally:
        with _batch_lock:
            _batch_jobs -= 1
            if _batch_jobs == 0:
                gc.set_threshold(*_saved_thresholds)
