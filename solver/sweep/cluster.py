"""A city's districts planned on a Dask distributed cluster (``plan --scheduler``).

Each district is one task: its streets (the district's and the border streets it may drive
along), its fleet share, its seconds and the plan's parameters go to a worker, which plans
it in a child process (PyVRP and OR-Tools hold the GIL for a whole search; a worker whose
event loop stalls that long misses its heartbeats). A task whose worker dies is run again
by the scheduler (``distributed.scheduler.allowed-failures``); a district that cannot be
planned comes back as the reason, like on local processes. With the same seed and a bound
on the work (``--seed``/``--iterations``), the districts' plans are the ones a local run
makes.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from streetcrew.models.schedule import Schedule
from streetcrew.solver.graph import stop

# Dask's nanny sets this for its workers; inherited by a search it made OR-Tools 10x slower
CHILD_ENV_DROP = ("MALLOC_TRIM_THRESHOLD_",)


def connect(scheduler: str) -> Any:
    """A client of the cluster at ``scheduler``, with at least one worker; a clear
    ``ConnectionError`` within 10 s when it does not answer (30 s when it has no workers)."""
    from dask.distributed import Client

    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise ConnectionError(f"the Dask scheduler at {scheduler} did not answer within 10 s "
                              f"({exc.__class__.__name__})") from None
    try:
        client.wait_for_workers(1, timeout=30)
    except TimeoutError:
        client.close()
        raise ConnectionError(f"the Dask scheduler at {scheduler} has no workers (waited "
                              "30 s)") from None
    return client


def cluster_slots(scheduler: str) -> int:
    """How many districts the cluster at ``scheduler`` plans at once (its worker threads)."""
    client = connect(scheduler)
    try:
        return max(1, sum(client.nthreads().values()))
    finally:
        client.close()


def plan_on_cluster(scheduler: str, jobs: Sequence[Any], order: Sequence[int],
                    too_late: Callable[[], bool], late: str,
                    plan_one: Callable[[Any], Schedule | str],
                    done: Callable[[int, Schedule | str], None]) -> None:
    """Plan ``jobs`` (largest first, ``order``) on the cluster, no more in flight than its
    worker threads, handing each result to ``done``; a job not yet started when
    ``too_late()`` says so, or after a stop request, is done as ``late``."""
    from dask.distributed import as_completed

    client = connect(scheduler)
    try:
        slots = max(1, sum(client.nthreads().values()))
        queue = list(order)
        running: dict[Any, int] = {}

        def submit(i: int) -> Any:
            fut = client.submit(plan_apart, plan_one, jobs[i], pure=False)
            running[fut] = i
            return fut

        for i in queue[:slots]:
            submit(i)
        queue = queue[slots:]
        finished = as_completed(list(running))
        for fut in finished:
            i = running.pop(fut)
            try:
                done(i, fut.result())
            except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker: the others go on
                done(i, f"its worker failed: {exc.__class__.__name__}: {exc}")
            while queue:
                nxt = queue.pop(0)
                if too_late() or stop.requested():
                    done(nxt, late)
                    continue
                finished.add(submit(nxt))
                break
    finally:
        client.close()


def plan_apart(plan_one: Callable[[Any], Schedule | str], job: Any) -> Schedule | str:
    """``plan_one(job)`` in a child process of the worker (see the module's docstring)."""
    with tempfile.TemporaryDirectory() as tmp:
        given, got = Path(tmp) / "in.pickle", Path(tmp) / "out.pickle"
        given.write_bytes(pickle.dumps((plan_one, job)))
        env = {k: v for k, v in os.environ.items() if k not in CHILD_ENV_DROP}
        done = subprocess.run([sys.executable, "-m", "streetcrew.solver.sweep.cluster",
                               str(given), str(got)],
                              capture_output=True, text=True, check=False, env=env)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
            return f"its plan failed on the worker: {last}"
        result: Schedule | str = pickle.loads(got.read_bytes())
        return result


def _child(given: str, got: str) -> None:
    plan_one, job = pickle.loads(Path(given).read_bytes())
    Path(got).write_bytes(pickle.dumps(plan_one(job)))


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2])
