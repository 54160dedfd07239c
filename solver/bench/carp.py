"""Benchmark runner: solve instances over seeds, verify each result, compare to best known.

Every solution goes through the independent checker before its cost is recorded; a run that
raised :class:`NoSolutionError` or failed the check has ``feasible=False`` and ``cost=None``.
Gaps are ``100 * (cost - best_known) / best_known``, averaged over seeds and instances.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from streetcrew.models.base import InputError
from streetcrew.models.carp import CarpProblem
from streetcrew.models.io.bks import BestKnown
from streetcrew.solver.carp.check import check
from streetcrew.solver.carp.params import Engine, SolveParams
from streetcrew.solver.carp.solve import NoSolutionError, solve


@dataclass(frozen=True)
class BenchCase:
    """One instance to run: the set it is reported under and its time limit per seed."""

    set: str
    problem: CarpProblem
    time_limit: float


class BenchRecord(BaseModel):
    """One (instance, seed) run; ``cost`` is the checker-verified cost or ``None``."""

    model_config = ConfigDict(frozen=True)
    instance: str
    set: str
    engine: Engine
    seed: int
    time_limit: float
    wall_s: float
    cost: int | None
    best_known: int | None
    gap_pct: float | None
    feasible: bool
    error: str | None = None


class InstanceSummary(BaseModel):
    model_config = ConfigDict(frozen=True)
    set: str
    instance: str
    best_known: int | None
    runs: int
    feasible_runs: int
    mean_cost: float | None
    mean_gap_pct: float | None
    mean_wall_s: float


class SetSummary(BaseModel):
    """Per set: gaps over feasible runs with a best known value; counts over all runs."""

    model_config = ConfigDict(frozen=True)
    set: str
    instances: int
    runs: int
    mean_gap_pct: float | None
    max_gap_pct: float | None
    runs_at_best_known: int
    runs_with_best_known: int
    mean_wall_s: float
    infeasible: int


class Threshold(BaseModel):
    """Quality gate for one set at one time limit (a tier of ``benchmarks/thresholds.json``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    time_limit: float = Field(gt=0)
    max_mean_gap_pct: float
    max_infeasible: int = Field(default=0, ge=0)


def gap_pct(cost: int, best_known: int) -> float:
    if best_known == 0:
        return 0.0 if cost == 0 else float("inf")
    return round(100.0 * (cost - best_known) / best_known, 4)


def best_known_of(problem: CarpProblem, table: Mapping[str, BestKnown] | None) -> int | None:
    """The best known value if ``problem`` is a bundled instance (same name and size)."""
    if not table:
        return None
    row = table.get(problem.name)
    return row.best_known if row is not None and row.matches(problem) else None


def run_one(
    case: BenchCase,
    seed: int,
    engine: Engine,
    workers: int | None = None,
    table: Mapping[str, BestKnown] | None = None,
) -> BenchRecord:
    """Solve one case with one seed and verify the result."""
    problem = case.problem
    options: dict[str, object] = {"time_limit": case.time_limit, "seed": seed, "engine": engine}
    if workers is not None:
        options["workers"] = workers
    params = SolveParams.model_validate(options)
    bk = best_known_of(problem, table)
    start = time.perf_counter()
    cost: int | None = None
    error: str | None = None
    try:
        solution = solve(problem, params)
    except NoSolutionError as exc:
        error = str(exc)
    wall = time.perf_counter() - start
    if error is None:
        violations = check(problem, solution)
        if violations:
            error = "; ".join(str(v) for v in violations)
        else:
            cost = solution.cost
    return BenchRecord(
        instance=problem.name,
        set=case.set,
        engine=engine,
        seed=seed,
        time_limit=case.time_limit,
        wall_s=round(wall, 3),
        cost=cost,
        best_known=bk,
        gap_pct=gap_pct(cost, bk) if cost is not None and bk is not None else None,
        feasible=cost is not None,
        error=error,
    )


def run_bench(
    cases: Iterable[BenchCase],
    seeds: int,
    engine: Engine,
    workers: int | None = None,
    table: Mapping[str, BestKnown] | None = None,
) -> list[BenchRecord]:
    """Every case with seeds ``0..seeds-1``, instance-major."""
    return [run_one(case, seed, engine, workers, table) for case in cases for seed in range(seeds)]


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 4) if values else None


def summarize_instances(records: Iterable[BenchRecord]) -> list[InstanceSummary]:
    groups: dict[tuple[str, str], list[BenchRecord]] = {}
    for r in records:
        groups.setdefault((r.set, r.instance), []).append(r)
    out = []
    for (set_name, instance), recs in groups.items():
        costs = [float(r.cost) for r in recs if r.cost is not None]
        gaps = [r.gap_pct for r in recs if r.gap_pct is not None]
        out.append(
            InstanceSummary(
                set=set_name,
                instance=instance,
                best_known=recs[0].best_known,
                runs=len(recs),
                feasible_runs=sum(r.feasible for r in recs),
                mean_cost=_mean(costs),
                mean_gap_pct=_mean(gaps),
                mean_wall_s=_mean([r.wall_s for r in recs]) or 0.0,
            )
        )
    return out


def summarize_sets(records: Iterable[BenchRecord]) -> list[SetSummary]:
    groups: dict[str, list[BenchRecord]] = {}
    for r in records:
        groups.setdefault(r.set, []).append(r)
    out = []
    for set_name, recs in groups.items():
        gaps = [r.gap_pct for r in recs if r.gap_pct is not None]
        with_bk = [r for r in recs if r.best_known is not None]
        out.append(
            SetSummary(
                set=set_name,
                instances=len({r.instance for r in recs}),
                runs=len(recs),
                mean_gap_pct=_mean(gaps),
                max_gap_pct=max(gaps) if gaps else None,
                runs_at_best_known=sum(
                    1 for r in with_bk if r.cost is not None and r.cost <= (r.best_known or 0)
                ),
                runs_with_best_known=len(with_bk),
                mean_wall_s=_mean([r.wall_s for r in recs]) or 0.0,
                infeasible=sum(not r.feasible for r in recs),
            )
        )
    return out


def _read_json(path: str | Path) -> object:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(str(path), None, None, f"cannot read file: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise InputError(
            str(path), f"line {exc.lineno}", None, f"not valid JSON: {exc.msg}"
        ) from None


def _first_error(file: str, record: str, exc: ValidationError) -> InputError:
    return InputError.from_validation(exc, file, record)


def load_thresholds(path: str | Path) -> dict[str, Threshold]:
    """``{"<set>": {"time_limit": s, "max_mean_gap_pct": g, "max_infeasible": n}, ...}``."""
    file = str(path)
    data = _read_json(path)
    if not isinstance(data, dict):
        raise InputError(file, None, None, "expected an object of set name -> thresholds")
    out = {}
    for name, raw in data.items():
        if name.startswith("_"):  # "_comment" keys
            continue
        try:
            out[name] = Threshold.model_validate(raw)
        except ValidationError as exc:
            raise _first_error(file, f"set {name!r}", exc) from None
    return out


def gate(records: Iterable[BenchRecord], thresholds: Mapping[str, Threshold]) -> list[str]:
    """Reasons the run fails its thresholds; empty if it passes.

    Any infeasible run fails, in every set. A set with a tier must also have been run at the
    tier's time limit and stay within its mean gap and infeasible count.
    """
    records = list(records)
    failures = []
    for r in records:
        if not r.feasible and (r.set not in thresholds):
            failures.append(f"{r.set}/{r.instance} seed {r.seed}: infeasible ({r.error})")
    for s in summarize_sets(records):
        tier = thresholds.get(s.set)
        if tier is None:
            continue
        limits = sorted({r.time_limit for r in records if r.set == s.set})
        if limits != [tier.time_limit]:
            failures.append(
                f"{s.set}: thresholds are for time_limit {tier.time_limit:g} s, "
                f"the run used {', '.join(f'{t:g}' for t in limits)} s"
            )
        if s.infeasible > tier.max_infeasible:
            bad = [
                f"{r.instance} seed {r.seed}" for r in records if r.set == s.set and not r.feasible
            ]
            failures.append(
                f"{s.set}: {s.infeasible} infeasible runs, at most {tier.max_infeasible} "
                f"allowed ({', '.join(bad)})"
            )
        if s.mean_gap_pct is None:
            failures.append(f"{s.set}: no run with a best known value to compare")
        elif s.mean_gap_pct > tier.max_mean_gap_pct:
            failures.append(
                f"{s.set}: mean gap {s.mean_gap_pct:.3f} % exceeds {tier.max_mean_gap_pct:g} %"
            )
    return failures


def load_records(path: str | Path) -> list[BenchRecord]:
    """Records written by ``streetcrew bench --json``."""
    file = str(path)
    data = _read_json(path)
    if not isinstance(data, list):
        raise InputError(file, None, None, "expected a JSON list of benchmark records")
    out = []
    for i, raw in enumerate(data, start=1):
        try:
            out.append(BenchRecord.model_validate(raw))
        except ValidationError as exc:
            raise _first_error(file, f"record {i}", exc) from None
    return out


def _cell(value: float | None, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def render_markdown(records: Iterable[BenchRecord]) -> str:
    """Per set, one table with every engine side by side, then a summary table.

    Columns per engine: mean cost and mean gap over seeds. Engines are told
    apart by name and time limit, so one file may hold several tiers.
    """
    recs = list(records)
    lines: list[str] = []
    for set_name in dict.fromkeys(r.set for r in recs):
        in_set = [r for r in recs if r.set == set_name]
        runs = list(dict.fromkeys((r.engine, r.time_limit) for r in in_set))
        per_run = {
            run: {s.instance: s for s in summarize_instances(
                r for r in in_set if (r.engine, r.time_limit) == run)}
            for run in runs
        }
        labels = [f"{e} {t:g} s" for e, t in runs]
        lines += [f"### {set_name}", ""]
        head = ["instance", "best known"]
        for label in labels:
            head += [f"{label} cost", f"{label} gap %"]
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + "---|" * len(head))
        for instance in dict.fromkeys(r.instance for r in in_set):
            first = next(r for r in in_set if r.instance == instance)
            row = [instance, _cell(first.best_known, "d")]
            for run in runs:
                s = per_run[run].get(instance)
                row += [
                    _cell(s.mean_cost if s else None, ".1f"),
                    _cell(s.mean_gap_pct if s else None, ".2f"),
                ]
            lines.append("| " + " | ".join(row) + " |")
        lines += ["", "| run | seeds | mean gap % | max gap % | at best known | mean s | infeasible |",
                  "|---|---|---|---|---|---|---|"]
        for run, label in zip(runs, labels):
            (total,) = summarize_sets(r for r in in_set if (r.engine, r.time_limit) == run)
            seeds = len({r.seed for r in in_set if (r.engine, r.time_limit) == run})
            lines.append(
                f"| {label} | {seeds} | {_cell(total.mean_gap_pct, '.2f')} | "
                f"{_cell(total.max_gap_pct, '.2f')} | "
                f"{total.runs_at_best_known}/{total.runs_with_best_known} "
                f"| {total.mean_wall_s:.2f} | {total.infeasible} |"
            )
        lines.append("")
    return "\n".join(lines)


def bench_inputs(targets: list[str]) -> list[tuple[str, Path]]:
    """(set name, file) for every target: a bundled set name, a folder or a .dat file."""
    from streetcrew import instances

    out: list[tuple[str, Path]] = []
    seen: set[Path] = set()
    for target in targets:
        path = Path(target)
        if target in instances.CARP_SETS and not path.exists():
            pairs = [(target, f) for f in instances.carp_set_files(target)]
        elif path.is_dir():
            files = sorted(path.glob("*.dat"), key=instances.natural_key)
            if not files:
                raise InputError(target, None, None, "folder has no .dat files")
            pairs = [(path.resolve().name, f) for f in files]
        elif path.is_file():
            pairs = [(path.resolve().parent.name, path)]
        else:
            raise InputError(
                target, None, None,
                f"not a file, a folder or a bundled set ({', '.join(instances.CARP_SETS)})",
            )
        for set_name, f in pairs:
            if f.resolve() not in seen:
                seen.add(f.resolve())
                out.append((set_name, f))
    return out


def text_report(records: list[BenchRecord]) -> str:
    """Per set: a table (instance, best known, mean cost, mean gap, mean s, feasible runs)
    and a summary line."""
    from streetcrew.solver.outputs.tables import text_table

    def _cell(value: float | None, spec: str) -> str:  # the terminal's dash
        return "-" if value is None else format(value, spec)

    inst = summarize_instances(records)
    parts = []
    for s in summarize_sets(records):
        rows = [[i.instance, _cell(i.best_known, "d"), _cell(i.mean_cost, ".1f"),
                 _cell(i.mean_gap_pct, ".2f"), f"{i.mean_wall_s:.2f}",
                 f"{i.feasible_runs}/{i.runs}"]
                for i in inst if i.set == s.set]
        parts.append(f"\n== {s.set} ==\n" + text_table(
            ["instance", "best known", "mean cost", "mean gap %", "mean s", "feasible"], rows))
        parts.append(
            f"{s.set}: {s.instances} instances, {s.runs} runs; "
            f"gap to best known: mean {_cell(s.mean_gap_pct, '.2f')} %, "
            f"max {_cell(s.max_gap_pct, '.2f')} %; "
            f"at best known {s.runs_at_best_known}/{s.runs_with_best_known} runs; "
            f"mean {s.mean_wall_s:.2f} s; infeasible {s.infeasible}")
    return "\n".join(parts)
