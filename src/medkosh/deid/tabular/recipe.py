"""The anonymisation recipe (YAML or a dict): what each column is and how it is transformed.

    columns:
      uhid:           {role: identifier, transform: pseudonym}     # or drop (the default)
      age:            {role: quasi, top_code: 90, hierarchy: {rule: intervals, widths: [5, 10, 20]}}
      pin:            {role: quasi, truncate: 3, hierarchy: {rule: digits, keep: [2, 1]}}
      district:       {role: quasi, hierarchy: {file: hierarchies/district.csv}}
      admission_date: {role: quasi, format: "%d/%m/%Y", generalise: month, hierarchy: {rule: dates}}
      icd10:          {role: sensitive}
      ward:           {role: insensitive}
    privacy: {k: 5, l: 2, l_kind: distinct, t: 0.2, t_distance: equal, max_suppression: 0.02}
    metric: loss                     # loss | discernibility | avg_class_size | entropy
    patient_key_column: uhid         # per-patient date shift key
    date_shift_days: 30
    other_columns: drop              # columns the recipe does not list: drop (default) | keep
    risk: {population_size: 1000000, model: zayatz, population_table: census.parquet}
    search: {strategy: auto, budget: 2000}  # auto | optimal | heuristic

Relative file paths are resolved against the recipe file's folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medkosh.errors import InputError

ROLES = ("identifier", "quasi", "sensitive", "insensitive")
_ROLE_ALIASES = {"quasi-identifier": "quasi", "quasi_identifier": "quasi", "qi": "quasi", "id": "identifier"}
METRICS = ("loss", "discernibility", "avg_class_size", "entropy")
_COLUMN_KEYS = {"role", "transform", "hierarchy", "format", "shift", "generalise", "top_code", "band",
                "truncate", "order"}
_TOP_KEYS = {"version", "columns", "privacy", "metric", "patient_key_column", "date_shift_days",
             "other_columns", "risk", "search", "shuffle_rows", "dataset_id"}


@dataclass
class ColumnSpec:
    name: str
    role: str
    transform: str | None = None  # identifiers: drop | pseudonym
    hierarchy: dict[str, Any] | None = None  # {"file": path} or {"rule": …}
    date_format: str | None = None
    shift: bool = False
    generalise: str | None = None  # month | quarter | year
    top_code: int | None = None
    band: int | None = None
    truncate: int | None = None
    order: list[str] | None = None  # sensitive values in order, for ordered t-closeness


@dataclass
class Recipe:
    columns: dict[str, ColumnSpec]
    k: int = 1
    l: int = 1  # noqa: E741
    l_kind: str = "distinct"
    t: float | None = None
    t_distance: str = "equal"
    max_suppression: float = 0.0
    metric: str = "loss"
    patient_key_column: str | None = None
    date_shift_days: int = 30
    other_columns: str = "drop"
    population_size: float | None = None
    population_table: str | None = None
    risk_model: str = "zayatz"
    strategy: str = "auto"
    budget: int = 2000
    shuffle_rows: bool = True
    dataset_id: str | None = None
    source: str = "<dict>"
    extra: dict[str, Any] = field(default_factory=dict)

    def by_role(self, role: str) -> list[str]:
        return [c.name for c in self.columns.values() if c.role == role]

    @property
    def quasi(self) -> list[str]:
        return self.by_role("quasi")

    @property
    def sensitive(self) -> str | None:
        found = self.by_role("sensitive")
        return found[0] if found else None

    def summary(self) -> dict[str, Any]:
        return {"k": self.k, "l": self.l, "l_kind": self.l_kind, "t": self.t, "t_distance": self.t_distance,
                "max_suppression": self.max_suppression, "metric": self.metric,
                "quasi_identifiers": self.quasi, "sensitive": self.sensitive}


def _fail(msg: str, where: str, hint: str | None = None) -> InputError:
    return InputError(msg, where=where, hint=hint)


def _int(value: Any, where: str, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value or value < low:
        raise _fail(f"expected a whole number ≥ {low}, got {value!r}", where)
    return int(value)


def _column(name: str, raw: Any, base: Path | None, where: str) -> ColumnSpec:
    if isinstance(raw, str):
        raw = {"role": raw}
    if not isinstance(raw, dict):
        raise _fail(f"column {name!r} must be a mapping or a role name", where)
    unknown = set(raw) - _COLUMN_KEYS
    if unknown:
        raise _fail(f"unknown setting {sorted(unknown)[0]!r} for column {name!r}", where,
                    f"use {', '.join(sorted(_COLUMN_KEYS))}")
    role = str(raw.get("role", "")).lower()
    role = _ROLE_ALIASES.get(role, role)
    if role not in ROLES:
        raise _fail(f"column {name!r} has role {raw.get('role')!r}", where, f"use one of {', '.join(ROLES)}")
    spec = ColumnSpec(name, role)
    if role == "identifier":
        spec.transform = str(raw.get("transform", "drop"))
        if spec.transform not in ("drop", "pseudonym"):
            raise _fail(f"identifier {name!r} has transform {spec.transform!r}", where, "use drop or pseudonym")
    elif "transform" in raw:
        raise _fail(f"'transform' applies to identifiers only (column {name!r})", where)
    hierarchy = raw.get("hierarchy")
    if hierarchy is not None:
        if role != "quasi":
            raise _fail(f"column {name!r} has a hierarchy but is not a quasi-identifier", where)
        if isinstance(hierarchy, str):
            hierarchy = {"file": hierarchy}
        if not isinstance(hierarchy, dict) or not ({"file", "rule"} & set(hierarchy)):
            raise _fail(f"hierarchy of column {name!r} needs 'file' or 'rule'", where)
        if "file" in hierarchy and base is not None and not Path(str(hierarchy["file"])).is_absolute():
            hierarchy = {**hierarchy, "file": str(base / str(hierarchy["file"]))}
        spec.hierarchy = dict(hierarchy)
    spec.date_format = str(raw["format"]) if raw.get("format") else None
    spec.shift = bool(raw.get("shift", False))
    generalise = raw.get("generalise")
    if generalise is not None:
        if generalise not in ("month", "quarter", "year"):
            raise _fail(f"column {name!r} generalise {generalise!r}", where, "use month, quarter or year")
        spec.generalise = str(generalise)
    if spec.shift and spec.generalise == "year":
        pass  # allowed: the shift still hides the exact day inside the year boundary
    spec.top_code = _int(raw["top_code"], f"{where}.top_code", 1) if "top_code" in raw else None
    spec.band = _int(raw["band"], f"{where}.band", 1) if "band" in raw else None
    spec.truncate = _int(raw["truncate"], f"{where}.truncate", 1) if "truncate" in raw else None
    if raw.get("order") is not None:
        spec.order = [str(v) for v in raw["order"]]
    return spec


def load_recipe(source: str | Path | dict[str, Any]) -> Recipe:
    """Parse and check a recipe from a YAML file or a dict; errors name the setting at fault."""
    base: Path | None = None
    where = "<dict>"
    if isinstance(source, dict):
        data = source
    else:
        path = Path(source)
        where = str(path)
        try:
            import yaml

            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise _fail("recipe file not found", where, "check the --recipe path") from exc
        except Exception as exc:  # yaml.YAMLError and decode errors: one line, with the position
            detail = " ".join(str(exc).split())
            raise _fail(f"recipe is not valid YAML: {detail}", where) from exc
        base = path.resolve().parent
    if not isinstance(data, dict):
        raise _fail("recipe must be a mapping with 'columns' and 'privacy'", where)
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise _fail(f"unknown recipe setting {sorted(unknown)[0]!r}", where, f"use {', '.join(sorted(_TOP_KEYS))}")
    raw_columns = data.get("columns")
    if not isinstance(raw_columns, dict) or not raw_columns:
        raise _fail("recipe has no 'columns'", where, "list each column with its role")
    columns = {str(n): _column(str(n), c, base, f"{where}: columns.{n}") for n, c in raw_columns.items()}
    privacy = data.get("privacy") or {}
    if not isinstance(privacy, dict):
        raise _fail("'privacy' must be a mapping", where)
    known_privacy = {"k", "l", "l_kind", "t", "t_distance", "max_suppression"}
    if set(privacy) - known_privacy:
        raise _fail(f"unknown privacy setting {sorted(set(privacy) - known_privacy)[0]!r}", f"{where}: privacy",
                    f"use {', '.join(sorted(known_privacy))}")
    recipe = Recipe(columns=columns, source=where)
    recipe.k = _int(privacy.get("k", 1), f"{where}: privacy.k", 1)
    recipe.l = _int(privacy.get("l", 1), f"{where}: privacy.l", 1)
    recipe.l_kind = str(privacy.get("l_kind", "distinct"))
    if recipe.l_kind not in ("distinct", "entropy"):
        raise _fail(f"l_kind {recipe.l_kind!r}", f"{where}: privacy.l_kind", "use distinct or entropy")
    if privacy.get("t") is not None:
        t = privacy["t"]
        if not isinstance(t, int | float) or not 0 <= t <= 1:
            raise _fail(f"t must be between 0 and 1, got {t!r}", f"{where}: privacy.t")
        recipe.t = float(t)
    recipe.t_distance = str(privacy.get("t_distance", "equal"))
    if recipe.t_distance not in ("equal", "ordered"):
        raise _fail(f"t_distance {recipe.t_distance!r}", f"{where}: privacy.t_distance", "use equal or ordered")
    supp = privacy.get("max_suppression", 0.0)
    if not isinstance(supp, int | float) or not 0 <= supp <= 1:
        raise _fail(f"max_suppression must be a fraction between 0 and 1, got {supp!r}",
                    f"{where}: privacy.max_suppression", "e.g. 0.02 for 2%")
    recipe.max_suppression = float(supp)
    recipe.metric = str(data.get("metric", "loss"))
    if recipe.metric not in METRICS:
        raise _fail(f"metric {recipe.metric!r}", f"{where}: metric", f"use one of {', '.join(METRICS)}")
    recipe.patient_key_column = data.get("patient_key_column")
    recipe.date_shift_days = _int(data.get("date_shift_days", 30), f"{where}: date_shift_days", 1)
    recipe.other_columns = str(data.get("other_columns", "drop"))
    if recipe.other_columns not in ("drop", "keep"):
        raise _fail(f"other_columns {recipe.other_columns!r}", f"{where}: other_columns", "use drop or keep")
    risk = data.get("risk") or {}
    if risk.get("population_size") is not None:
        recipe.population_size = float(_int(risk["population_size"], f"{where}: risk.population_size", 1))
    if risk.get("population_table"):
        table = Path(str(risk["population_table"]))
        recipe.population_table = str(base / table if base is not None and not table.is_absolute() else table)
    recipe.risk_model = str(risk.get("model", "zayatz"))
    if recipe.risk_model not in ("zayatz", "pitman"):
        raise _fail(f"risk model {recipe.risk_model!r}", f"{where}: risk.model", "use zayatz or pitman")
    search = data.get("search") or {}
    recipe.strategy = str(search.get("strategy", "auto"))
    if recipe.strategy not in ("auto", "optimal", "heuristic"):
        raise _fail(f"search strategy {recipe.strategy!r}", f"{where}: search.strategy",
                    "use auto, optimal or heuristic")
    recipe.budget = _int(search.get("budget", 2000), f"{where}: search.budget", 1)
    recipe.shuffle_rows = bool(data.get("shuffle_rows", True))
    recipe.dataset_id = str(data["dataset_id"]) if data.get("dataset_id") else None
    sensitive = recipe.by_role("sensitive")
    if (recipe.l > 1 or recipe.t is not None) and len(sensitive) != 1:
        raise _fail(f"l-diversity and t-closeness need exactly one sensitive column, found {len(sensitive)}",
                    where, "mark one column with role: sensitive")
    shifted = [c.name for c in columns.values() if c.shift]
    if shifted and not recipe.patient_key_column:
        raise _fail(f"column {shifted[0]!r} is shifted but the recipe has no patient_key_column", where,
                    "name the column that identifies the patient")
    return recipe


def shorthand_recipe(columns: list[str], qis: list[str], sensitive: str | None,
                     hierarchies: dict[str, str], k: int, l: int, t: float | None,  # noqa: E741
                     max_suppression: float, metric: str = "loss") -> dict[str, Any]:
    """The recipe the CLI's quick flags describe: listed QIs (with ARX files where found), one
    sensitive column, every other column kept as insensitive."""
    spec: dict[str, Any] = {}
    for col in columns:
        if col in qis:
            entry: dict[str, Any] = {"role": "quasi"}
            if col in hierarchies:
                entry["hierarchy"] = {"file": hierarchies[col]}
            spec[col] = entry
        elif col == sensitive:
            spec[col] = {"role": "sensitive"}
        else:
            spec[col] = {"role": "insensitive"}
    privacy: dict[str, Any] = {"k": k, "l": l, "max_suppression": max_suppression}
    if t is not None:
        privacy["t"] = t
    return {"columns": spec, "privacy": privacy, "metric": metric}
