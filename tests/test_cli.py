"""cli.py: help everywhere, solve -> check round trip, exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from streetcrew import instances
from streetcrew.cli import app
from streetcrew.models.base import InputError
from tests.helpers import DATA, ROOT, TINY

runner = CliRunner()
GDB1 = instances.carp_set_dir("gdb") / "gdb1.dat"
COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def test_commands() -> None:
    assert COMMANDS == ["bench", "bench-plan", "bench-report", "cases", "check", "compare", "crews",
                        "import-osm", "import-osmnx", "patrol", "plan", "replan", "size", "solve", "streets"]


@pytest.mark.parametrize("args", [[], *([c] for c in COMMANDS)], ids=["app", *COMMANDS])
def test_every_command_has_help(args: list[str]) -> None:
    result = runner.invoke(app, [*args, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


@pytest.fixture(scope="module")
def gdb1_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("solve") / "gdb1.json"
    result = runner.invoke(
        app, ["solve", str(GDB1), "--engine", "pyvrp", "--time-limit", "1", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "instance    gdb1" in result.output
    assert "best known  316" in result.output
    return out


def test_solve_writes_json_that_check_accepts(gdb1_json: Path) -> None:
    data = json.loads(gdb1_json.read_text())
    assert set(data) == {"instance", "cost", "vehicles", "routes"}
    assert data["instance"] == "gdb1"
    assert data["cost"] >= 316  # best known, proven optimal
    assert data["vehicles"] == len(data["routes"])
    assert sum(len(r) for r in data["routes"]) == 22  # every required edge once
    result = runner.invoke(app, ["check", str(GDB1), str(gdb1_json)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"feasible, cost {data['cost']}"


@pytest.mark.parametrize("tamper", ["cost", "drop", "duplicate"])
def test_check_rejects_tampered_json(gdb1_json: Path, tmp_path: Path, tamper: str) -> None:
    data = json.loads(gdb1_json.read_text())
    if tamper == "cost":
        data["cost"] -= 1
    elif tamper == "drop":
        data["routes"][0].pop()
    else:
        data["routes"].append([data["routes"][0][0]])
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    result = runner.invoke(app, ["check", str(GDB1), str(bad)])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("infeasible")
    expected = {"cost": "[cost]", "drop": "[coverage]", "duplicate": "[coverage]"}[tamper]
    assert expected in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"routes": [[[1, 99]]]}', "unknown vertex 99"),
        ('{"routes": [[[1, 3]]]}', "[1, 3] is not a required edge"),
        ('{"cost": 3}', "'routes': missing"),
    ],
)
def test_check_bad_solution_file_exits_2(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    result = runner.invoke(app, ["check", str(TINY), str(bad)])
    assert result.exit_code == 2, result.output
    assert str(bad) in result.output and message in result.output


def test_malformed_dat_exits_2_without_traceback() -> None:
    bad = DATA / "bad" / "negative_cost.dat"
    proc = subprocess.run(
        [sys.executable, "-m", "cli", "solve", str(bad), "--engine", "pyvrp"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip() == (
        f"error: {bad}, line 12: field 'coste': negative cost -2"
    )
    assert "Traceback" not in proc.stderr


def test_debug_raises_the_input_error() -> None:
    bad = DATA / "bad" / "negative_cost.dat"
    result = runner.invoke(app, ["--debug", "solve", str(bad)])
    assert isinstance(result.exception, InputError)
    assert result.exit_code == 1


def test_bench_folder_writes_checked_records(tmp_path: Path) -> None:
    folder = tmp_path / "two"
    folder.mkdir()
    for name in ("gdb1", "gdb4"):
        shutil.copy(instances.carp_set_dir("gdb") / f"{name}.dat", folder)
    out = tmp_path / "records.json"
    result = runner.invoke(
        app,
        ["bench", str(folder), "--time-limit", "1", "--engine", "pyvrp", "--json", str(out)],
    )
    assert result.exit_code == 0, result.output
    records = json.loads(out.read_text())
    assert [r["instance"] for r in records] == ["gdb1", "gdb4"]
    for r in records:
        assert r["set"] == "two" and r["engine"] == "pyvrp" and r["seed"] == 0
        assert r["time_limit"] == 1 and r["wall_s"] > 0
        assert r["feasible"] is True and r["error"] is None
        assert r["best_known"] == {"gdb1": 316, "gdb4": 287}[r["instance"]]
        assert r["cost"] >= r["best_known"]
        assert r["gap_pct"] >= 0
    assert "two: 2 instances, 2 runs" in result.output


def _thresholds(tmp_path: Path, max_gap: float, time_limit: float = 0.5) -> Path:
    path = tmp_path / "thresholds.json"
    path.write_text(json.dumps({"data": {"time_limit": time_limit, "max_mean_gap_pct": max_gap}}))
    return path


def test_bench_threshold_gate(tmp_path: Path) -> None:
    # tiny.dat has no best known value: the gate must say so and fail
    args = ["bench", str(TINY), "--engine", "pyvrp", "--threshold"]
    result = runner.invoke(app, [*args, str(_thresholds(tmp_path, 5.0))])
    assert result.exit_code == 1
    assert "no run with a best known value" in result.output
    # a time limit other than the tier's fails too
    result = runner.invoke(app, [*args, str(_thresholds(tmp_path, 5.0)), "-t", "0.3"])
    assert result.exit_code == 1
    assert "thresholds are for time_limit 0.5 s, the run used 0.3 s" in result.output


def test_bench_unknown_target_exits_2() -> None:
    result = runner.invoke(app, ["bench", "no-such-set"])
    assert result.exit_code == 2
    assert "no-such-set" in result.output and "bundled set" in result.output
