"""Turn penalties: classification, turn-aware paths, timed deadheads and the checker."""

from __future__ import annotations

import pytest

from streetcrew.models.base import InputError
from streetcrew.models.fleet import TurnPenalties
from streetcrew.models.io.fleet import read_fleet
from streetcrew.models.network import build_network, turn_kind
from streetcrew.models.streets import street_with_defaults
from streetcrew.solver.sweep.check import check_schedule
from streetcrew.solver.sweep.params import PlanParams
from streetcrew.solver.sweep.plan import plan_sweeping
from streetcrew.solver.sweep.turns import Place, TurnGraph
from tests.helpers import DATA, grid_fleet
from tests.helpers import grid as _grid

FLEET = grid_fleet()

EAST, NORTH, WEST, SOUTH = 0.0, 90.0, 180.0, -90.0


@pytest.mark.parametrize(
    ("arrive", "leave", "kind"),
    [
        (EAST, EAST, "straight"),
        (EAST, 20.0, "straight"),
        (EAST, NORTH, "left"),  # heading east, turning to the north: counter-clockwise
        (EAST, SOUTH, "right"),
        (EAST, WEST, "u-turn"),
        (NORTH, -100.0, "u-turn"),  # 170 degrees round
        (SOUTH, 140.0, "right"),  # +230 degrees is 130 clockwise
    ],
)
def test_turn_kinds(arrive: float, leave: float, kind: str) -> None:
    assert turn_kind(arrive, leave) == kind


def test_driving_back_along_the_same_segment_is_a_u_turn_whatever_the_geometry() -> None:
    assert turn_kind(EAST, EAST, reverses=True) == "u-turn"


def _line_graph(penalties: TurnPenalties) -> tuple[list, TurnGraph]:
    streets = _grid()
    network = build_network(streets)
    return streets, TurnGraph(streets, network, penalties, [network.links[0].u], ref_mps=5.0)


def test_a_u_turn_is_priced_and_avoided_when_it_costs_more_than_the_block() -> None:
    streets, free = _line_graph(TurnPenalties(u_turn_s=0, left_s=0))
    k = 4  # ns01: a two-way street in the middle of the west edge
    there, back = free.arc(k, True), free.arc(k, False)
    leg = free.leg(Place(arc=there), Place(arc=back))
    assert leg.metres == 0 and leg.turns == ("u-turn",) and leg.turn_s == 0
    _, dear = _line_graph(TurnPenalties(u_turn_s=3600, left_s=0))
    leg = dear.leg(Place(arc=there), Place(arc=back))
    assert "u-turn" not in leg.turns and leg.metres > 0  # round the block instead
    # the leg's node path is connected and its turns are the ones priced
    assert leg.nodes[0] == dear.head[there] and leg.nodes[-1] == dear.tail[back]
    assert leg.turn_s == sum(dear.penalties.seconds(t) for t in leg.turns)
    assert leg.weight == pytest.approx(leg.metres + 5.0 * leg.turn_s, abs=1e-3)


def test_two_passes_of_one_curb_in_a_row_drive_round_the_block() -> None:
    _, graph = _line_graph(TurnPenalties())
    a = graph.arc(4, True)
    leg = graph.leg(Place(arc=a), Place(arc=a))
    assert leg.metres > 0 and leg.nodes[-1] == graph.tail[a]


def test_matrix_agrees_with_legs() -> None:
    _, graph = _line_graph(TurnPenalties())
    depot = graph.places[0]
    places = [Place(node=depot)] + [Place(arc=graph.arc(k, True)) for k in (0, 4, 9)]
    weights = graph.matrix(places, places)
    for i, p in enumerate(places):
        for j, q in enumerate(places):
            if p.node is not None and q.node is not None:
                assert weights[i, j] == 0
                continue
            assert weights[i, j] == pytest.approx(graph.leg(p, q).weight, abs=1e-3)


def test_deadheads_are_timed_with_their_turns_and_the_checker_recounts_them() -> None:
    fleet = FLEET.model_copy(update={"turns": TurnPenalties(u_turn_s=120, left_s=30)})
    streets = _grid()
    schedule = plan_sweeping(streets, fleet, PlanParams(time_limit=3))
    assert check_schedule(streets, fleet, schedule) == []
    speed = {t.id: t.travel_kmh / 3.6 for t in fleet.vehicle_types}
    dead = [(r, i, st) for r in schedule.routes for i, st in enumerate(r.steps)
            if st.type == "deadhead"]
    assert any(st.turn_s > 0 for _, _, st in dead)
    for r, _, st in dead:
        assert st.end - st.start == round(st.distance_m / speed[r.vehicle_type] + st.turn_s)
        assert st.turn_s == sum(fleet.turns.seconds(t) for t in st.turns)
    # the checker finds a deadhead that leaves out its turns' time
    r, i, st = max(dead, key=lambda x: x[2].turn_s)
    short = st.model_copy(update={"end": st.end - round(st.turn_s)})
    steps = list(r.steps)
    steps[i] = short
    shifted = [s.model_copy(update={"start": s.start - round(st.turn_s),
                                    "end": s.end - round(st.turn_s)}) for s in steps[i + 1:]]
    bad_route = r.model_copy(update={"steps": tuple(steps[:i + 1] + shifted)})
    bad = schedule.model_copy(update={"routes": tuple(
        bad_route if x is r else x for x in schedule.routes)})
    problems = check_schedule(streets, fleet, bad)
    assert any("driving and turns need" in str(p) for p in problems), problems


def test_checker_recomputes_route_cost() -> None:
    streets = _grid()
    schedule = plan_sweeping(streets, FLEET, PlanParams(time_limit=2))
    route = schedule.routes[0]
    bad = schedule.model_copy(update={"routes": (
        route.model_copy(update={"cost": route.cost + 5}), *schedule.routes[1:])})
    problems = check_schedule(streets, FLEET, bad)
    assert any("the fleet's rates give" in str(p) for p in problems)
    assert any(p.kind == "summary" and p.message.startswith("summary cost") for p in problems)


def test_turn_penalties_read_from_the_fleet_file(tmp_path) -> None:
    text = (DATA / "fleet" / "good.yaml").read_text(encoding="utf-8")
    path = tmp_path / "fleet.yaml"
    path.write_text(text + "turns: {u_turn_s: 90, left_s: 12}\n", encoding="utf-8")
    fleet = read_fleet(path)
    assert fleet.turns.u_turn_s == 90 and fleet.turns.left_s == 12 and fleet.turns.right_s == 0
    path.write_text(text + "turns: {u_turn_s: -5}\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_fleet(path)
    assert err.value.file == str(path) and err.value.record == "turns"
    assert err.value.field == "u_turn_s"
    assert read_fleet(DATA / "fleet" / "good.yaml").turns == TurnPenalties()


def test_one_way_streets_are_never_driven_against_traffic_in_a_leg() -> None:
    streets = [street_with_defaults({"id": "a", "road_class": "residential",
                                     "coords": ((0.0, 0.0), (0.001, 0.0)), "oneway": "forward"}),
               street_with_defaults({"id": "b", "road_class": "residential",
                                     "coords": ((0.001, 0.0), (0.001, 0.001))}),
               street_with_defaults({"id": "c", "road_class": "residential",
                                     "coords": ((0.001, 0.001), (0.0, 0.0))})]
    network = build_network(streets)
    graph = TurnGraph(streets, network, TurnPenalties(), [], ref_mps=5.0)
    # from the end of one-way "a" back to its start: round the triangle, not back along "a"
    leg = graph.leg(Place(arc=graph.arc(0, True)), Place(arc=graph.arc(0, True)))
    assert leg.metres == pytest.approx(streets[1].length_m + streets[2].length_m)
