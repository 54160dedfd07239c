"""A request to stop searching, which every search polls: Ctrl-C keeps the plan.

The first Ctrl-C (SIGINT) or SIGTERM sets the request: each search ends at its next
iteration, the best routes found so far are driven, checked and written, and the plan is
marked ``interrupted``. A second Ctrl-C quits at once. The request is a
``multiprocessing`` event created before any worker is forked, so districts planned on
other processes (forked from this one) see it too.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
from types import FrameType, TracebackType
from typing import Any

_event = mp.get_context("fork").Event()
STOPPABLE = ("plan", "patrol")  # the commands whose searches poll the request
MESSAGE = ("\nstopping: the best plan found so far is being finished, checked and written "
           "(Ctrl-C again to quit at once)\n")


def requested() -> bool:
    """True once a stop was asked for."""
    return _event.is_set()


def request() -> None:
    _event.set()


def reset() -> None:
    _event.clear()


class StopOnSignal:
    """``with StopOnSignal(): ...`` turns the first SIGINT/SIGTERM into a stop request and
    the second into an immediate exit (code 130); the handlers before are restored after."""

    def __init__(self, active: bool = True) -> None:
        self.active = active  # False: a command that does not poll keeps Ctrl-C as it is
        self._before: dict[int, Any] = {}
        self._main = os.getpid()
        self._count = 0

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        # counted per process: a terminal's Ctrl-C reaches the forked workers as well
        self._count += 1
        if self._count > 1:
            os._exit(130)
        request()
        if os.getpid() == self._main:
            sys.stderr.write(MESSAGE)
            sys.stderr.flush()

    def __enter__(self) -> StopOnSignal:
        reset()
        self._count = 0
        if not self.active:
            return self
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._before[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        for sig, handler in self._before.items():
            signal.signal(sig, handler)


class OrRequested:
    """A search's stopping rule (``rule(best_cost) -> bool``, as PyVRP's criteria) that also
    ends the search when a stop is requested."""

    def __init__(self, rule: Any) -> None:
        self.rule = rule

    def __call__(self, best_cost: float) -> bool:
        return requested() or bool(self.rule(best_cost))


def stop_when_asked(routing: Any) -> None:
    """Make an OR-Tools routing search end at its next solution once a stop is requested."""
    def check() -> None:
        if requested():
            routing.solver().FinishCurrentSearch()

    routing.AddAtSolutionCallback(check)
