"""Build the relaxed Cambridge area: a real street network with everything but the routing
taken away (as ../shared/plan-quality does for the demo), for the plan-quality benchmark.

Cambridge, MA street centerlines (City of Cambridge GIS, PDDL 1.0) inside a box around
Central Square; every segment swept once per side its class sweeps, no windows, no repeat
gaps, no type restrictions; the relaxed fleet of plan-quality (one yard with its dump, one
type for every class, 6 m3 hopper, 12 vehicles, 24-hour shifts, cost = metres) with the yard
at the middle of the box. plan-quality's 47-hour shifts and million-litre tank are cut to the
plausible input ranges (a shift of at most a day, 50,000 l: models/bounds.py); neither binds
(the area is about 10 hours of sweeping, and no water is used). Run from the repository root:

    python benchmarks/relaxed_cambridge/make.py ../shared/real/cambridge_street_centerlines.geojson
"""

from __future__ import annotations

import sys
from pathlib import Path

from streetcrew.models.io.streets import read_streets
from streetcrew.models.io.write_streets import write_geojson

BOX = (-71.1130, 42.3575, -71.0930, 42.3725)  # lon, lat: Central Square and around
HERE = Path(__file__).resolve().parent
ATTRIBUTION = "City of Cambridge, MA GIS (cambridgegis_data), Open Data Commons PDDL 1.0"


def main(source: str) -> None:
    streets = []
    for s in read_streets(source):
        lon = sum(x for x, _ in s.coords) / len(s.coords)
        lat = sum(y for _, y in s.coords) / len(s.coords)
        if BOX[0] <= lon <= BOX[2] and BOX[1] <= lat <= BOX[3]:
            streets.append(s.model_copy(update={
                "sweeps_per_day": 1, "passes_per_side": 1, "windows": (),
                "min_hours_between": 0.0, "allowed_types": None}))
    write_geojson(streets, HERE / "streets.geojson", ATTRIBUTION)
    lon, lat = (BOX[0] + BOX[2]) / 2, (BOX[1] + BOX[3]) / 2
    fleet = (Path(__file__).resolve().parents[2].parent / "shared" / "plan-quality"
             / "fleet.yaml").read_text(encoding="utf-8")
    fleet = fleet.replace("[118.78, 32.052]", f"[{lon:.4f}, {lat:.4f}]")
    fleet = fleet.replace('shift_end: "47:00"', 'shift_end: "24:00"')
    fleet = fleet.replace("water_l: 1000000", "water_l: 50000")
    fleet = fleet.replace("# relaxed single-depot single-type fleet (plan-quality experiment)",
                          "# the relaxed fleet of ../shared/plan-quality, yard in the box's middle")
    (HERE / "fleet.yaml").write_text(fleet, encoding="utf-8")
    print(f"{len(streets)} segments written")


if __name__ == "__main__":
    main(sys.argv[1])
