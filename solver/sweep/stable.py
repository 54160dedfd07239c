"""Plans that stay like the one before (``plan --previous``): what each vehicle swept then,
and how many passes kept their vehicle now.

A vehicle's shift is named ``vehicle#shift`` (the shift's 0-based number in the fleet
file), the key both plans share.
"""

from __future__ import annotations

from streetcrew.models.schedule import Schedule, Violation


def key(vehicle: str | None, shift: int) -> str:
    return f"{vehicle}#{shift}"


def held_by(schedule: Schedule) -> dict[str, tuple[str, ...]]:
    """Each vehicle shift's swept passes (task ids), in the order it swept them."""
    return {key(r.vehicle, r.shift): tuple(st.task for st in r.steps
                                           if st.type == "serve" and st.task is not None)
            for r in schedule.routes}


def orders_of(schedule: Schedule) -> dict[str, tuple[tuple[str, bool], ...]]:
    """Each vehicle shift's swept passes in order, with the direction each was swept in
    (``plan --previous`` starts its search from them)."""
    return {key(r.vehicle, r.shift): tuple((st.task, bool(st.forward)) for st in r.steps
                                           if st.type == "serve" and st.task is not None)
            for r in schedule.routes}


def changes(schedule: Schedule, previous: Schedule) -> tuple[int, int]:
    """Passes swept by the vehicle shift that swept them before, and passes the plan before
    gave a vehicle that another one sweeps now."""
    before = {t: v for v, tasks in held_by(previous).items() for t in tasks}
    kept = changed = 0
    for v, tasks in held_by(schedule).items():
        for t in tasks:
            if t in before:
                kept += before[t] == v
                changed += before[t] != v
    return kept, changed


def with_changes(schedule: Schedule, previous: Schedule) -> Schedule:
    kept, changed = changes(schedule, previous)
    return schedule.model_copy(update={"summary": schedule.summary.model_copy(update={
        "passes_kept": kept, "passes_changed": changed,
        "previous_cost": previous.summary.cost})})


def check_changes(schedule: Schedule, previous: Schedule) -> list[Violation]:
    """The stated kept and changed passes and the plan before's cost, recounted."""
    s = schedule.summary
    kept, changed = changes(schedule, previous)
    out = []
    if (s.passes_kept, s.passes_changed) != (kept, changed):
        out.append(Violation(kind="summary", message=(
            f"summary says {s.passes_kept} passes kept and {s.passes_changed} changed vehicle; "
            f"against the plan before, {kept} kept and {changed} changed")))
    if s.previous_cost is not None and abs(s.previous_cost - previous.summary.cost) > 0.01:
        out.append(Violation(kind="summary", message=(
            f"summary gives the plan before's cost as {s.previous_cost:.2f}, it is "
            f"{previous.summary.cost:.2f}")))
    return out
