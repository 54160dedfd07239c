"""solver/bench.py: records come from checked solutions; summaries and the gate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from streetcrew import instances
from streetcrew.models.base import InputError
from streetcrew.models.io.bks import read_bks
from streetcrew.models.io.carp import read_carp
from streetcrew.solver.bench.carp import (
    BenchCase,
    BenchRecord,
    Threshold,
    gap_pct,
    gate,
    load_records,
    load_thresholds,
    render_markdown,
    run_bench,
    summarize_instances,
    summarize_sets,
)
from tests.helpers import ROOT, TINY


def record(instance: str, seed: int, cost: int | None, bk: int | None = 100,
           set_name: str = "s", time_limit: float = 1.0) -> BenchRecord:
    return BenchRecord(
        instance=instance, set=set_name, engine="pyvrp", seed=seed, time_limit=time_limit,
        wall_s=1.0, cost=cost, best_known=bk,
        gap_pct=gap_pct(cost, bk) if cost is not None and bk is not None else None,
        feasible=cost is not None, error=None if cost is not None else "no solution",
    )


def test_run_bench_checks_every_run() -> None:
    table = read_bks(instances.bks_path())
    cases = [
        BenchCase(set="gdb", problem=read_carp(instances.carp_set_dir("gdb") / "gdb4.dat"),
                  time_limit=0.3),
        BenchCase(set="data", problem=read_carp(TINY), time_limit=0.3),
    ]
    records = run_bench(cases, seeds=2, engine="pyvrp", table=table)
    assert [(r.instance, r.seed) for r in records] == [
        ("gdb4", 0), ("gdb4", 1), ("tiny", 0), ("tiny", 1)
    ]
    for r in records:
        assert r.feasible and r.cost is not None and r.error is None
    gdb4 = [r for r in records if r.instance == "gdb4"]
    assert all(r.best_known == 287 and r.cost >= 287 for r in gdb4)  # type: ignore[operator]
    assert all(r.gap_pct == gap_pct(r.cost, 287) for r in gdb4)  # type: ignore[arg-type]
    tiny = [r for r in records if r.instance == "tiny"]
    assert all(r.best_known is None and r.gap_pct is None for r in tiny)
    assert all(r.cost >= 14 for r in tiny)  # type: ignore[operator]  # service costs alone


def test_best_known_needs_matching_size() -> None:
    table = read_bks(instances.bks_path())
    renamed = read_carp(TINY).model_copy(update={"name": "gdb1"})
    [r] = run_bench([BenchCase("x", renamed, 0.2)], seeds=1, engine="pyvrp", table=table)
    assert r.feasible and r.best_known is None and r.gap_pct is None


def test_gap_pct() -> None:
    assert gap_pct(316, 316) == 0.0
    assert gap_pct(101, 100) == 1.0
    assert gap_pct(0, 0) == 0.0


def test_summaries() -> None:
    records = [
        record("a", 0, 100), record("a", 1, 102),  # gaps 0, 2
        record("b", 0, 110), record("b", 1, None),  # gap 10, one infeasible
        record("c", 0, 50, bk=None),
    ]
    inst = {i.instance: i for i in summarize_instances(records)}
    assert inst["a"].mean_cost == 101 and inst["a"].mean_gap_pct == 1.0
    assert inst["b"].feasible_runs == 1 and inst["b"].mean_cost == 110
    assert inst["c"].mean_gap_pct is None
    [s] = summarize_sets(records)
    assert (s.instances, s.runs, s.infeasible) == (3, 5, 1)
    assert s.mean_gap_pct == 4.0 and s.max_gap_pct == 10.0
    assert (s.runs_at_best_known, s.runs_with_best_known) == (1, 4)


def test_gate() -> None:
    tier = {"s": Threshold(time_limit=1, max_mean_gap_pct=2.0)}
    good = [record("a", 0, 100), record("b", 0, 103)]  # mean gap 1.5
    assert gate(good, tier) == []
    assert gate(good, {"s": Threshold(time_limit=1, max_mean_gap_pct=1.0)}) == [
        "s: mean gap 1.500 % exceeds 1 %"
    ]
    infeasible = [*good, record("c", 0, None)]
    assert gate(infeasible, tier) == ["s: 1 infeasible runs, at most 0 allowed (c seed 0)"]
    lenient = {"s": Threshold(time_limit=1, max_mean_gap_pct=2.0, max_infeasible=1)}
    assert gate(infeasible, lenient) == []
    assert gate([record("a", 0, 100, time_limit=2)], tier) == [
        "s: thresholds are for time_limit 1 s, the run used 2 s"
    ]
    # a set without a tier is gated on feasibility only
    other = [record("x", 0, 200, set_name="other"), record("y", 0, None, set_name="other")]
    assert gate(other, tier) == ["other/y seed 0: infeasible (no solution)"]


def test_repository_thresholds_load() -> None:
    tiers = load_thresholds(ROOT / "benchmarks" / "thresholds.json")
    assert "gdb" in tiers and tiers["gdb"].max_infeasible == 0


@pytest.mark.parametrize(
    ("content", "record_", "field"),
    [
        ("[1]", None, None),
        ('{"gdb": {"time_limit": 1}}', "set 'gdb'", "max_mean_gap_pct"),
        ('{"gdb": {"time_limit": 0, "max_mean_gap_pct": 1}}', "set 'gdb'", "time_limit"),
        ('{"gdb": ', "line 1", None),
    ],
)
def test_bad_thresholds(tmp_path: Path, content: str, record_: str | None,
                        field: str | None) -> None:
    path = tmp_path / "t.json"
    path.write_text(content)
    with pytest.raises(InputError) as info:
        load_thresholds(path)
    assert (info.value.file, info.value.record, info.value.field) == (str(path), record_, field)


def test_records_are_json() -> None:
    r = record("a", 0, None)
    assert json.loads(r.model_dump_json())["cost"] is None


def test_report_puts_engines_side_by_side(tmp_path: Path) -> None:
    recs = [record("a", 0, 100), record("a", 1, 110), record("b", 0, None)]
    other = [r.model_copy(update={"engine": "ortools", "cost": 120, "gap_pct": 20.0,
                                  "feasible": True}) for r in recs if r.seed == 0]
    path = tmp_path / "records.json"
    path.write_text(json.dumps([r.model_dump() for r in recs + other]))
    text = render_markdown(load_records(path))
    rows = {line.split(" | ")[0].strip("| "): line for line in text.splitlines()}
    # instance a: pyvrp mean of 100 and 110 (gap 5 %), ortools 120 (gap 20 %)
    assert rows["a"] == "| a | 100 | 105.0 | 5.00 | 120.0 | 20.00 |"
    assert rows["b"] == "| b | 100 | – | – | 120.0 | 20.00 |"
    assert rows["pyvrp 1 s"] == "| pyvrp 1 s | 2 | 5.00 | 10.00 | 1/3 | 1.00 | 1 |"
    assert rows["ortools 1 s"] == "| ortools 1 s | 1 | 20.00 | 20.00 | 0/2 | 1.00 | 0 |"


def test_report_names_the_bad_record(tmp_path: Path) -> None:
    path = tmp_path / "records.json"
    path.write_text(json.dumps([record("a", 0, 100).model_dump() | {"seed": "x"}]))
    with pytest.raises(InputError) as info:
        load_records(path)
    assert info.value.record == "record 1" and info.value.field == "seed"
