"""A generated city for the scale benchmarks (issue 16): ``python benchmarks/city/make.py N``.

A square grid of two-way streets with blocks of about 110 x 90 m (old-town Chinese blocks
are 100-200 m), about N segments, every fourth line a secondary road and every eighth a
primary one, some one-way lanes; a depot with a dump-and-water site in each of k x k
squares of the city (k grows with the size), and one large sweeper per 280 segments (a
bureau sweeps its main roads daily with one machine per 20-30 km of kerbs) plus a small one
per 900. Writes ``city-<N>.geojson`` and ``city-<N>.yaml`` beside this file (not kept in
git: regenerate them). Deterministic.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
X0, Y0, STEP = 113.60, 34.70, 0.0012  # Zhengzhou-ish, about 110 m by 133 m blocks


def make(target: int) -> tuple[Path, Path]:
    size = max(2, round(math.sqrt(target / 2)))
    features = []
    for i in range(size + 1):
        for j in range(size):
            for ident, a, b, line in (
                (f"ns{i}-{j}", (X0 + i * STEP, Y0 + j * STEP), (X0 + i * STEP, Y0 + (j + 1) * STEP), i),
                (f"ew{i}-{j}", (X0 + j * STEP, Y0 + i * STEP), (X0 + (j + 1) * STEP, Y0 + i * STEP), i),
            ):
                road = "primary" if line % 8 == 0 else "secondary" if line % 4 == 0 else "residential"
                props = {"id": ident, "name": f"{'纬' if ident[0] == 'e' else '经'}{line}路",
                         "road_class": road}
                if road == "residential" and (i + j) % 7 == 0:
                    props["oneway"] = "yes"
                features.append({"type": "Feature", "properties": props, "geometry": {
                    "type": "LineString", "coordinates": [[round(a[0], 6), round(a[1], 6)],
                                                          [round(b[0], 6), round(b[1], 6)]]}})
    n = len(features)
    k = max(1, round(math.sqrt(n / 3000)))  # a depot per about 3,000 segments
    span = size * STEP
    depots, facilities, vehicles = [], [], []
    large, small = math.ceil(n / 280), math.ceil(n / 900)
    for a in range(k):
        for b in range(k):
            x, y = X0 + span * (a + 0.5) / k, Y0 + span * (b + 0.5) / k
            depots.append({"id": f"yard-{a}-{b}", "at": [round(x, 5), round(y, 5)]})
            facilities.append({"id": f"station-{a}-{b}", "kind": "both",
                               "at": [round(x + STEP / 2, 5), round(y, 5)], "service_min": 10})
    for v in range(large + small):
        d = depots[v % len(depots)]["id"]
        big = v < large
        vehicles.append({"id": f"{'L' if big else 'S'}{v}", "type": "large" if big else "small",
                         "depot": d, "shift_start": "04:00", "shift_end": "12:00",
                         "breaks": [{"earliest": "07:30", "latest": "09:00", "minutes": 30}]})
    fleet = {
        "depots": depots, "facilities": facilities,
        "vehicle_types": [
            {"id": "large", "hopper_m3": 6, "debris_m3_per_km": {"default": 0.2},
             "water_l": 3000, "water_l_per_km": 150, "sweep_kmh": 10, "travel_kmh": 25,
             "road_classes": ["primary", "secondary", "residential"],
             "cost_per_km": 3.0, "cost_per_hour": 90},
            {"id": "small", "hopper_m3": 1.5, "debris_m3_per_km": {"default": 0.12},
             "water_l": 600, "water_l_per_km": 90, "sweep_kmh": 7, "travel_kmh": 18,
             "road_classes": ["residential"], "cost_per_km": 1.5, "cost_per_hour": 60}],
        "vehicles": vehicles,
    }
    streets_path, fleet_path = HERE / f"city-{target}.geojson", HERE / f"city-{target}.yaml"
    streets_path.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                                       ensure_ascii=False), encoding="utf-8")
    fleet_path.write_text(yaml.safe_dump(fleet, allow_unicode=True, sort_keys=False),
                          encoding="utf-8")
    return streets_path, fleet_path


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["50000"]:
        s, f = make(int(arg))
        print(s, f)
