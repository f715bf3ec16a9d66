"""The garbage collector's pace during long batch jobs."""

import gc
import threading

import pytest

from clearinghouse.core.runtime import BATCH_YOUNG_THRESHOLD, fewer_collections


@pytest.fixture(autouse=True)
def usual_thresholds():
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*saved)


def test_a_batch_job_raises_the_young_threshold_and_restores_it():
    with fewer_collections():
        assert gc.get_threshold() == (BATCH_YOUNG_THRESHOLD, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)


def test_the_thresholds_come_back_after_an_error():
    with pytest.raises(ValueError), fewer_collections():
        raise ValueError
    assert gc.get_threshold() == (700, 10, 10)


def test_a_higher_threshold_already_set_is_kept():
    gc.set_threshold(100_000, 5, 5)
    with fewer_collections():
        assert gc.get_threshold() == (100_000, 5, 5)
    assert gc.get_threshold() == (100_000, 5, 5)


def test_overlapping_jobs_restore_the_thresholds_when_the_last_one_ends():
    first_in, second_in, first_out = (
        threading.Event(),
        threading.Event(),
        threading.Event(),
    )
    seen = {}

    def first():
        with fewer_collections():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second():
        first_in.wait(5)
        with fewer_collections():
            second_in.set()
            first_out.wait(5)
            # The first job has ended; this one still runs with fewer collections.
            seen["while the second runs"] = gc.get_threshold()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen["while the second runs"] == (BATCH_YOUNG_THRESHOLD, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)
