"""collectors/base.each: a collector's per-resource reads, several at once, answered in the listing's order."""

import threading
import time

import pytest

from checks.collectors import base


def test_answers_come_in_the_items_order_whatever_order_the_reads_finish():
    def read(item):
        time.sleep(0.002 * (10 - item))  # the first items finish last
        return item * 10

    assert base.each(range(10), read) == [item * 10 for item in range(10)]


def test_reads_overlap_but_never_more_than_the_workers():
    running, most, lock = [0], [0], threading.Lock()
    gate = threading.Barrier(3, timeout=10)  # passes only if three reads run at the same moment

    def read(item):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        if item < 3:
            gate.wait()
        time.sleep(0.01)
        with lock:
            running[0] -= 1
        return item

    assert base.each(range(12), read, workers=3) == list(range(12))
    assert most[0] == 3


def test_one_item_is_read_on_the_caller_s_thread_and_none_reads_nothing():
    caller = threading.current_thread()
    assert base.each(["only"], lambda item: (item, threading.current_thread() is caller)) == [("only", True)]
    assert base.each([], lambda item: pytest.fail("read with nothing to read")) == []


def test_a_read_that_raises_ends_the_collection_as_a_loop_would():
    def read(item):
        if item == 2:
            raise RuntimeError("collector bug")
        return item

    with pytest.raises(RuntimeError, match="collector bug"):
        base.each(range(5), read)
