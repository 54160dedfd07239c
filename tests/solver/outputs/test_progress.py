"""The live progress line: the solver's phases on a terminal, nothing on a pipe."""

from __future__ import annotations

import io
import logging
import time

from streetcrew.solver.outputs.progress import LiveLine


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_line_shows_the_latest_phase_on_a_terminal() -> None:
    out = _Terminal()
    with LiveLine("plan", stream=out, every_s=0.05):
        logging.getLogger("streetcrew.solver.sweep.plan").info("searching (%s)", "pyvrp")
        time.sleep(0.3)
    assert "plan: searching (pyvrp)" in out.getvalue()
    # the handler is gone afterwards: the logger is as it was
    assert not any(isinstance(h, logging.Handler) and h.__class__.__name__ == "_Latest"
                   for h in logging.getLogger("streetcrew").handlers)


def test_nothing_is_written_when_not_a_terminal() -> None:
    out = io.StringIO()
    with LiveLine("plan", stream=out, every_s=0.05):
        logging.getLogger("streetcrew.solver.sweep.plan").info("searching")
        time.sleep(0.15)
    assert out.getvalue() == ""
