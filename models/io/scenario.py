"""Read a scenario file (YAML; see :mod:`models.scenario` for the changes).

```yaml
base:                        # paths relative to this file; left out: the bundled demo
  streets: streets.geojson
  fleet: fleet.yaml
  crew: crew.csv             # optional: rosters are made and counted too
  rules: rules.yaml          # optional
  date: 2026-11-27
scenarios:
  - name: +2 small sweepers
    changes:
      - add_vehicles: {type: small-sweeper, count: 2, depot: north-yard}
  - name: dump closed
    changes:
      - close_facility: {id: transfer-station}
```

The base itself is always the first scenario, named ``base``. Every error names the file,
the scenario and the change (``scenario 'x' change 2 (close_facility)``) and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from streetcrew.models.base import InputError, parse_clock
from streetcrew.models.io.common import load_mapping, read_text
from streetcrew.models.io.streets import parse_windows
from streetcrew.models.scenario import CHANGES, Base, Scenario, ScenarioSet

_CLOCKS = ("shift_start", "shift_end")


def read_scenarios(path: str | Path) -> ScenarioSet:
    file, text = read_text(path)
    data = load_mapping(file, text, Path(path).suffix.lower())
    if not isinstance(data, dict):
        raise InputError(file, None, None, "expected a mapping with base and scenarios")
    unknown = set(data) - {"base", "scenarios"}
    if unknown:
        raise InputError(file, None, sorted(unknown)[0], "unknown key; expected base, scenarios")
    here = Path(path).resolve().parent
    raw_base = data.get("base") or {}
    if not isinstance(raw_base, dict):
        raise InputError(file, "base", None, "expected a mapping")
    base_fields: dict[str, Any] = {}
    for key, value in raw_base.items():
        if key not in Base.model_fields:
            raise InputError(file, "base", key, "unknown key; expected "
                                                + ", ".join(Base.model_fields))
        if key == "date":
            base_fields[key] = str(value)
            continue
        target = (here / str(value)).resolve()
        if not target.is_file():
            raise InputError(file, "base", key, f"{target} does not exist")
        base_fields[key] = str(target)
    scenarios = [Scenario(name="base")]
    names = {"base"}
    for n, rec in enumerate(data.get("scenarios") or [], start=1):
        where = f"scenario {n}"
        if not isinstance(rec, dict) or not str(rec.get("name", "")).strip():
            raise InputError(file, where, "name", "each scenario needs a name")
        name = str(rec["name"]).strip()
        where = f"scenario {name!r}"
        if name in names:
            raise InputError(file, where, "name", "the same name twice")
        names.add(name)
        extra = set(rec) - {"name", "changes"}
        if extra:
            raise InputError(file, where, sorted(extra)[0], "unknown key; expected name, changes")
        changes = []
        for k, ch in enumerate(rec.get("changes") or [], start=1):
            changes.append(_change(file, f"{where} change {k}", ch))
        scenarios.append(Scenario(name=name, changes=tuple(changes)))
    return ScenarioSet(file=file, base=Base(**base_fields), scenarios=tuple(scenarios))


def _change(file: str, where: str, ch: Any) -> Any:
    if not isinstance(ch, dict) or len(ch) != 1:
        raise InputError(file, where, None, "expected one change: "
                                            + ", ".join(f"{k}: {{...}}" for k in CHANGES))
    (kind, fields), = ch.items()
    if kind not in CHANGES:
        raise InputError(file, where, kind, "unknown change; known: " + ", ".join(CHANGES))
    where = f"{where} ({kind})"
    if not isinstance(fields, dict):
        raise InputError(file, where, None, "expected a mapping of fields")
    raw = dict(fields)
    try:
        for key in _CLOCKS:
            if isinstance(raw.get(key), str):
                raw[key] = parse_clock(raw[key])
        if isinstance(raw.get("windows"), str):
            raw["windows"] = [(w.start, w.end) for w in parse_windows(raw["windows"])]
    except ValueError as exc:
        field = next((k for k in (*_CLOCKS, "windows") if k in raw), None)
        raise InputError(file, where, field, str(exc)) from None
    if isinstance(raw.get("at"), list | tuple) and len(raw["at"]) == 2:
        raw["at"] = {"lon": raw["at"][0], "lat": raw["at"][1]}
    if isinstance(raw.get("ids"), str):
        raw["ids"] = [raw["ids"]]
    try:
        return CHANGES[kind].model_validate(raw)
    except ValidationError as exc:
        raise InputError.from_validation(exc, file, where) from None
