"""Interrupts keep the work: Ctrl-C (or SIGTERM) during `streetcrew plan` ends the search,
and the best plan so far is driven, checked and written, marked interrupted (exit 130); a
second Ctrl-C quits at once and leaves the earlier plan in the folder as it was. Files are
written to a hidden folder and moved into place, so nobody reads half a plan."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from streetcrew.cli import app
from streetcrew.solver.outputs.schedule_files import staged
from tests.helpers import DATA, grid

SEARCHING = "searching"


def _start(tmp_path: Path, out: Path) -> subprocess.Popen[str]:
    """`streetcrew plan -t 60` on a 6 x 6 grid, its log on stderr (so we know it searches)."""
    import yaml

    from streetcrew.models.io.write_streets import write_geojson

    streets = tmp_path / "streets.geojson"
    write_geojson(grid(6), streets)
    data = yaml.safe_load((DATA / "fleet" / "good.yaml").read_text())
    data["facilities"][0]["at"] = [118.770, 32.052]
    data["facilities"][1]["at"] = [118.782, 32.040]
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(yaml.safe_dump(data))
    code = ("import logging, sys; logging.basicConfig(level=logging.INFO, stream=sys.stderr, "
            "format='%(message)s'); from streetcrew.cli import main; sys.argv[0] = 'streetcrew';"
            " main()")
    return subprocess.Popen(
        [sys.executable, "-c", code, "plan", "--streets", str(streets), "--fleet", str(fleet),
         "-t", "60", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)


def _wait_for_search(proc: subprocess.Popen[str]) -> None:
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    for line in proc.stderr:
        if line.startswith(SEARCHING) or time.monotonic() > deadline:
            break
    time.sleep(1.0)  # well into the search


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_writes_the_best_plan_so_far_checked_and_marked(tmp_path: Path, sig: int) -> None:
    out = tmp_path / "plan"
    proc = _start(tmp_path, out)
    _wait_for_search(proc)
    sent = time.monotonic()
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=60)
    took = time.monotonic() - sent
    assert proc.returncode == 130, stderr[-2000:]
    assert took < 15, f"{took:.1f} s from the signal to the end of a 60 s plan"
    assert "stopping: the best plan found so far" in stderr
    assert "interrupted" in stdout and "feasible (independent checker)" in stdout
    schedule = json.loads((out / "schedule.json").read_text())
    assert schedule["interrupted"] is True and schedule["checked"] is True
    from typer.testing import CliRunner

    res = CliRunner().invoke(app, ["check", str(out / "schedule.json")])
    assert res.exit_code == 0 and res.output.startswith("feasible"), res.output


def test_a_second_ctrl_c_quits_at_once_and_keeps_the_earlier_plan(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    out.mkdir()
    (out / "schedule.json").write_text("the earlier plan")
    proc = _start(tmp_path, out)
    _wait_for_search(proc)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert (out / "schedule.json").read_text() == "the earlier plan"


def test_staged_files_appear_whole_or_not_at_all(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    out.mkdir()
    (out / "schedule.json").write_text("old")
    (out / "notes.txt").write_text("the user's own file")
    with pytest.raises(RuntimeError), staged(out) as tmp:
        (tmp / "schedule.json").write_text("new")
        raise RuntimeError("killed while writing")
    assert (out / "schedule.json").read_text() == "old"  # untouched
    assert not list(out.glob(".streetcrew-writing-*"))
    with staged(out) as tmp:
        (tmp / "schedule.json").write_text("new")
        (tmp / "sheets").mkdir()
        (tmp / "sheets" / "L1.md").write_text("sheet")
    assert (out / "schedule.json").read_text() == "new"
    assert (out / "sheets" / "L1.md").read_text() == "sheet"
    assert (out / "notes.txt").read_text() == "the user's own file"  # not ours: kept


def test_an_output_folder_that_cannot_be_written_is_refused_before_planning(tmp_path) -> None:
    from typer.testing import CliRunner

    blocker = tmp_path / "file"
    blocker.write_text("")
    started = time.monotonic()
    res = CliRunner().invoke(app, ["plan", "-t", "60", "--out", str(blocker / "plan")])
    assert res.exit_code == 2 and "cannot write to" in res.stderr
    assert time.monotonic() - started < 20  # refused before the 60 s of planning
    assert os.path.isfile(blocker)
