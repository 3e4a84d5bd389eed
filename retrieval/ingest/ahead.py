"""Work computed ahead, in a second process, while this one does something else.

Ingest encodes (numpy/BLAS) and does text work (BM25 tokens, figure counts: pure Python) per
document. In one process they take turns, and a Python thread cannot help (the GIL). A forked,
lower-priority worker computes the text work for the next documents while this process
encodes: it runs on whatever core time the encoder leaves idle (its single-threaded numpy
steps, SQLite writes) and the encoder's threads keep priority (docs/BENCHMARKS.md, ingest
throughput). Fork shares the parent's loaded dictionaries, so nothing is loaded twice (the jobs
themselves are pickled to it); where fork is not available, or the work is small, it is done here.
"""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterator

_NICE = 10  # the worker yields the cores to the encoder whenever both want them


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        return os.cpu_count() or 1


def _lower_priority(parent: int | None = None) -> None:
    """The worker's start: a lower priority, the store's write lock let go, and on Linux death with
    its parent. A fork inherits the descriptor holding the index's flock; an ingest killed with -9
    must not leave a worker behind that keeps the next ingest out ("another `planbot ingest` is
    writing")."""
    try:
        os.nice(_NICE)
    except OSError:  # pragma: no cover - not permitted: same priority then
        pass
    _drop_write_locks()
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return
    if parent is not None and os.getppid() != parent:
        os._exit(1)  # the parent died before the line above


def _back(done: tuple):
    from retrieval.knowledge.figures import add_cn2an_readings

    result, readings = done
    add_cn2an_readings(readings)  # for the user cache (retrieval/warmup.py)
    return result


def _drop_write_locks() -> None:
    """Close this process's descriptors of the stores' lock files (retrieval/store: INDEX/.lock,
    MILVUS.db.NAME.lock); the parent keeps its own, and with it the lock."""
    try:
        fds = os.listdir("/proc/self/fd")
    except OSError:  # pragma: no cover - no /proc: the death signal below is all there is
        return
    for fd in fds:
        try:
            if os.readlink(f"/proc/self/fd/{fd}").endswith(".lock"):
                os.close(int(fd))
        except (OSError, ValueError):
            continue


def _run_job(fn: Callable, job: tuple):
    from retrieval.knowledge.figures import take_cn2an_readings

    return fn(*job), take_cn2an_readings()


class AheadQueue:
    """Text work computed by a worker, the jobs added one by one: ingest adds each document's text
    work as soon as it has read the document, so the worker starts on it while this process is
    still reading the next files (a single-threaded phase that leaves the second core idle) instead
    of once everything has been read. The worker is forked when `min_size` worth of work has been
    added (below that a second process costs more than it saves); the jobs are pickled to it.
    `results()` gives `fn(*job)` for every job, in order; jobs never handed to a worker are
    computed there, in this process. Use as a context manager: leaving it stops the worker.

    `finish()`, once every job is in, computes here the jobs the worker has not started (from the
    last one back) while the worker works through the rest: the encoder that runs next keeps both
    cores busy (its BLAS threads), so text work left to run beside it costs the encoder about as
    much time as it takes, while done now, two cores share it (docs/BENCHMARKS.md, ingest
    throughput)."""

    def __init__(self, fn: Callable, min_size: int) -> None:
        self.fn, self.min_size = fn, min_size
        self._jobs: list[tuple] = []
        self._futures: list = []
        self._size = 0
        self._pool = None
        self._here: dict[int, object] = {}  # results of jobs taken back from the worker

    def add(self, *job, size: int = 1) -> None:
        self._jobs.append(job)
        self._size += size
        if self._pool is None and self._size >= self.min_size and self._can_fork():
            import multiprocessing

            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"),
                                             initializer=_lower_priority, initargs=(os.getpid(),))
        if self._pool is not None:
            self._futures += [self._pool.submit(_run_job, self.fn, j) for j in self._jobs[len(self._futures):]]

    @staticmethod
    def _can_fork() -> bool:
        import multiprocessing

        return _cores() > 1 and "fork" in multiprocessing.get_all_start_methods()

    def finish(self) -> None:
        for i in range(len(self._futures) - 1, -1, -1):
            if self._futures[i].cancel():  # not started by the worker: done here instead
                self._here[i] = self.fn(*self._jobs[i])

    def results(self) -> Iterator:
        for i, job in enumerate(self._jobs):
            if i in self._here:
                yield self._here.pop(i)
            else:
                yield _back(self._futures[i].result()) if i < len(self._futures) else self.fn(*job)

    def __enter__(self) -> "AheadQueue":
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
