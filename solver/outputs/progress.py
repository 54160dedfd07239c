"""A live progress line on a terminal: the command, the phase the solver is in, the time
so far and the best cost found.

The solver modules say where they are through :mod:`logging` (``log.info`` on loggers
under ``streetcrew``); :class:`LiveLine` shows the latest message on one line of stderr
while a command runs. When stderr is not a terminal (a pipe, a log file, CI) it shows
nothing and the output stays as it was.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from types import TracebackType
from typing import IO

ROOT = "streetcrew"


class _Latest(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.message = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.message = record.getMessage()


class LiveLine:
    """``with LiveLine("plan"): ...`` shows ``plan: <phase> (12 s)`` until the block ends."""

    def __init__(self, label: str, stream: IO[str] | None = None, every_s: float = 0.5,
                 enabled: bool = True) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.every_s = every_s
        self.handler = _Latest()
        self.active = enabled and bool(getattr(self.stream, "isatty", lambda: False)())
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._level = logging.NOTSET

    def text(self, elapsed: float) -> str:
        phase = self.handler.message or "starting"
        return f"{self.label}: {phase} ({elapsed:.0f} s)"

    def __enter__(self) -> LiveLine:
        if not self.active:
            return self
        from rich.console import Console

        logger = logging.getLogger(ROOT)
        self._level = logger.level
        logger.setLevel(logging.INFO)
        logger.addHandler(self.handler)
        console = Console(file=self.stream)
        started = time.perf_counter()
        status = console.status(self.text(0.0))

        def tick() -> None:
            with status:
                while not self._stop.wait(self.every_s):
                    status.update(self.text(time.perf_counter() - started))

        self._thread = threading.Thread(target=tick, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if not self.active:
            return
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        logger = logging.getLogger(ROOT)
        logger.removeHandler(self.handler)
        logger.setLevel(self._level)
