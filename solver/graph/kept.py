"""A plan made again during its day (``streetcrew replan``): the steps it keeps from the
plan it came from, and the check that it kept them. Shared by every domain's re-plan and
checker, so they judge the same day."""

from __future__ import annotations

from streetcrew.models.schedule import Route, Schedule, Step, Violation, violation


def kept_steps(route: Route, keep: int, broken: bool) -> tuple[Step, ...]:
    """The steps of ``route`` a re-plan keeps: those under way or done by ``keep`` (a step
    under way is finished), or, for a vehicle that broke down at ``keep``, those done by
    then. A vehicle back in its yard is not done for the day while its shift lasts: its
    closing ``end`` step is not kept."""
    if broken:
        kept = tuple(s for s in route.steps if s.end <= keep)
    else:
        kept = tuple(s for s in route.steps if s.start < keep)
    return kept[:-1] if kept and kept[-1].type == "end" else kept


def check_replan(schedule: Schedule, origin: Schedule) -> list[Violation]:
    """A re-plan against the plan it came from: every route keeps that plan's steps up to its
    vehicle's ``replan.keep`` time unchanged, and no route of that plan with kept steps is
    missing."""
    replan = schedule.replan
    if replan is None:
        return [violation("replan", None, "the schedule names a plan it came from but is no "
                          "re-plan")]
    out: list[Violation] = []
    now = {f"{r.who}#{r.shift}": r for r in schedule.routes}
    for r in origin.routes:
        name = f"{r.who}#{r.shift}"
        if name not in replan.keep:
            out.append(violation("replan", r.who, "no keep time for it"))
            continue
        kept = kept_steps(r, replan.keep[name], name in replan.broken)
        got = now.get(name)
        if kept and (got is None or got.steps[:len(kept)] != kept):
            first = next((i for i, (a, b) in enumerate(zip(kept, got.steps)) if a != b),
                         len(got.steps)) if got is not None else 0
            out.append(violation("replan", r.who, (
                "its route is missing" if got is None else
                f"changed what was done before the re-plan: step {first + 1} of "
                f"{len(kept)} kept differs from the plan it came from")))
    return out
