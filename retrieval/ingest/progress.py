"""Ingest progress as log lines, for runs without a terminal (a pipe, a service, a container).

A progress bar redraws one line; a log keeps every line, so lines come at most every
`interval` seconds, plus one when a stage starts and one when it ends.
"""
from __future__ import annotations

import time
from typing import Callable, Optional, TextIO

# stage name -> what is counted in it
_UNITS = {"reading": "files read", "embedding": "chunks embedded", "writing": "index written"}


class ProgressLog:
    """A `Progress` callback (stage, done, total) that writes throttled lines with rate and ETA."""

    def __init__(self, out: TextIO, interval: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.out, self.interval, self.clock = out, interval, clock
        self._stage: Optional[str] = None
        self._started = 0.0
        self._last = float("-inf")
        self._said: tuple[int, int] | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self.clock()
        if stage != self._stage:
            self._stage, self._started = stage, now
            self._emit(stage, done, total, now)
            return
        if (done, total) == self._said:
            return
        if done >= total or now - self._last >= self.interval:
            self._emit(stage, done, total, now)

    def _emit(self, stage: str, done: int, total: int, now: float) -> None:
        if stage == "writing":
            line = "ingest: writing the index" if done < total else "ingest: index written"
        else:
            line = f"ingest: {done}/{total} {_UNITS.get(stage, stage)}"
            elapsed = now - self._started
            if done and elapsed > 0:
                rate = done / elapsed
                line += f", {rate:.1f}/s"
                if done < total:
                    line += f", ETA {format_seconds((total - done) / rate)}"
        self.out.write(line + "\n")
        self.out.flush()
        self._last, self._said = now, (done, total)


def format_seconds(s: float) -> str:
    s = int(round(s))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"
