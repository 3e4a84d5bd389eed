"""The bounded pools that do everything slow, so that acknowledging a request never waits.

A listener acknowledges Slack's request and hands the rest to `AnswerQueue.submit()`:

* `intake` steps (optional) talk to the Web API only — read a thread, post the visible
  "Searching…" status — in their own small pool, so a user sees that the question was taken
  even while the engine is busy with others. An intake step returns the answer step, or
  None when there is nothing to answer (a thread the bot is not part of).
* answer steps run the engine and deliver the reply, in the answer pool.

Both queues are bounded; `submit()` returns False when the answer queue is full (the
listener then says so), and `depth` (questions waiting or running) is what `/healthz`
shows and what decides the polite "busy, your question is queued" note. `drain()` (on
SIGTERM) takes nothing new and waits, for a bounded time, for what was taken to finish.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Callable, Optional

log = logging.getLogger("planbot.slack")

AnswerStep = Callable[[], None]
IntakeStep = Callable[[], Optional[AnswerStep]]


def describe_failure(exc: BaseException) -> str:
    """`KeyError: 'ts' at replies.py:120` — one line for the log, never a traceback."""
    tb = exc.__traceback__
    where = ""
    while tb is not None:
        if tb.tb_next is None:
            where = f" at {tb.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno}"
        tb = tb.tb_next
    return f"{type(exc).__name__}: {exc}{where}"


class _Lane:
    """`workers` threads taking callables from a queue of at most `capacity`."""

    def __init__(self, name: str, workers: int, capacity: int, on_result: Callable[[object], None]) -> None:
        self.name = name
        self._queue: "queue.Queue[Optional[Callable[[], object]]]" = queue.Queue(maxsize=capacity)
        self._on_result = on_result
        self._running = 0
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._threads = [threading.Thread(target=self._work, name=f"planbot-{name}-{i}", daemon=True)
                         for i in range(max(1, workers))]
        for t in self._threads:
            t.start()

    def put(self, step: Callable[[], object], block: bool = False) -> bool:
        try:
            self._queue.put(step, block=block, timeout=None)
            return True
        except queue.Full:
            return False

    @property
    def waiting(self) -> int:
        return self._queue.qsize()

    @property
    def running(self) -> int:
        return self._running

    def idle(self) -> bool:
        with self._lock:
            return self._running == 0 and self._queue.unfinished_tasks == 0

    def _work(self) -> None:
        while True:
            step = self._queue.get()
            if step is None:
                self._queue.task_done()
                return
            with self._lock:
                self._running += 1
            try:
                result = step()
                if result is not None:
                    self._on_result(result)
            except Exception as exc:  # a bug in a step: report it, keep the worker
                log.error("%s step failed: %s", self.name, describe_failure(exc))
            finally:
                with self._lock:
                    self._running -= 1
                    self._queue.task_done()
                    self._idle.notify_all()

    def stop(self) -> None:
        for _ in self._threads:
            try:
                self._queue.put_nowait(None)
            except queue.Full:
                break


class AnswerQueue:
    def __init__(self, workers: int = 8, intake_workers: int = 4, capacity: int = 1000, busy_at: int = 8) -> None:
        self.capacity = capacity
        self.busy_at = busy_at  # this many questions ahead → the user is told it will take a while
        self._accepting = True
        self._answers = _Lane("answer", workers, capacity, on_result=lambda _r: None)
        # An intake step's result is its answer step; intake waits for room rather than drop it.
        self._intake = _Lane("intake", intake_workers, capacity, on_result=lambda step: self._answers.put(step, block=True))
        self.taken = 0
        self.refused = 0

    # ------------------------------------------------------------------ submitting
    @property
    def depth(self) -> int:
        """Questions taken and not yet answered (waiting or running, both stages)."""
        return self._intake.waiting + self._intake.running + self._answers.waiting + self._answers.running

    def answers_ahead(self) -> int:
        """Questions in the answer stage, i.e. ahead of one now leaving intake."""
        return self._answers.waiting + self._answers.running

    def busy(self) -> bool:
        return self.depth >= self.busy_at

    def submit(self, answer: Optional[AnswerStep] = None, intake: Optional[IntakeStep] = None) -> bool:
        """Queue a question: `intake` first (if given; it returns the answer step), else `answer`.
        False when the queue is full or shutting down (nothing was queued)."""
        if not self._accepting or self.depth >= self.capacity:
            self.refused += 1
            return False
        ok = self._intake.put(intake) if intake is not None else self._answers.put(answer)  # type: ignore[arg-type]
        if ok:
            self.taken += 1
        else:
            self.refused += 1
        return ok

    # ------------------------------------------------------------------ reporting and stopping
    def health(self) -> dict:
        return {
            "depth": self.depth,
            "intake_waiting": self._intake.waiting,
            "answer_waiting": self._answers.waiting,
            "answering": self._answers.running,
            "capacity": self.capacity,
            "busy": self.busy(),
            "taken": self.taken,
            "refused": self.refused,
            "accepting": self._accepting,
        }

    def drain(self, timeout: float) -> bool:
        """Take nothing new; wait up to `timeout` s for every queued question. True if all finished."""
        self._accepting = False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._intake.idle() and self._answers.idle():
                return True
            time.sleep(0.05)
        return self._intake.idle() and self._answers.idle()

    def shutdown(self) -> None:
        self._accepting = False
        self._intake.stop()
        self._answers.stop()
