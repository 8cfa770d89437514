"""Worked TRE example: predict progression to a diabetic complication within a year.

Runs inside the medkosh trusted research environment: the granted EHR cohort is mounted read-only at
$MEDKOSH_DATA/<dataset>/tables/*.parquet and only files written to $MEDKOSH_OUT can leave, after output
checking. It writes an ONNX model, its input schema and aggregate metrics — never rows.

Task (derived from the released tables, all dates already shifted per patient, intervals intact):
  index date   = a patient's first type 2 diabetes diagnosis (ICD-10 E11*) in the record
  label        = a diabetic complication (E11.2*/E11.3*, N18*, H36*) recorded within 365 days after it
  features     = sex, age at index (from the generalised birth year), hypertension at index, and the last
                 HbA1c, fasting glucose, systolic BP, creatinine and haemoglobin on or before the index
Patients with a complication already at the index date are left out (not at risk).
"""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path

import numpy as np
import polars as pl
from skl2onnx import to_onnx
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import train_test_split

LABS = {"hba1c": "4548-4", "fasting_glucose": "1558-6", "systolic_bp": "8480-6", "creatinine": "2160-0",
        "haemoglobin": "718-7"}
UNITS = {"hba1c": "%", "fasting_glucose": "mg/dL", "systolic_bp": "mm[Hg]", "creatinine": "mg/dL",
         "haemoglobin": "g/dL", "age": "years", "female": "1 = female", "hypertension": "1 = I10 at index"}
COMPLICATION = r"^(E11\.[23]|N18|H36)"
FEATURES = ["female", "age", "hypertension", *LABS]


def birth_year(value: str | None) -> float:
    """'1961', '1960-1964', '[1960, 1965)' → the interval's midpoint; '*' → unknown."""
    if not value:
        return float("nan")
    digits = [int(tok) for tok in "".join(c if c.isdigit() else " " for c in value).split() if len(tok) == 4]
    return float(np.mean(digits)) if digits else float("nan")


def _median(values: np.ndarray) -> float:
    """Imputation value: the median of the known values, 0 when none is known (e.g. a fully generalised
    birth year); stored in schema.json so inference imputes the same way."""
    known = values[np.isfinite(values)]
    return float(np.median(known)) if known.size else 0.0


def build(tables: Path) -> pl.DataFrame:
    patients = pl.read_parquet(tables / "patients.parquet")
    dx = pl.read_parquet(tables / "diagnoses.parquet")
    obs = pl.read_parquet(tables / "observations.parquet")
    index = (dx.filter(pl.col("code").str.starts_with("E11")).group_by("person_id")
             .agg(pl.col("record_date").min().alias("index_date")))
    comp = dx.filter(pl.col("code").str.contains(COMPLICATION)).join(index, on="person_id")
    prior = comp.filter(pl.col("record_date") <= pl.col("index_date")).select("person_id").unique()
    label = (comp.filter((pl.col("record_date") > pl.col("index_date"))
                         & (pl.col("record_date") <= pl.col("index_date") + pl.duration(days=365)))
             .select("person_id").unique().with_columns(pl.lit(1).alias("label")))
    htn = (dx.filter(pl.col("code").str.starts_with("I10")).join(index, on="person_id")
           .filter(pl.col("record_date") <= pl.col("index_date")).select("person_id").unique()
           .with_columns(pl.lit(1.0).alias("hypertension")))
    frame = index.join(prior, on="person_id", how="anti")
    last = (obs.join(index, on="person_id").filter(pl.col("record_date") <= pl.col("index_date"))
            .sort("record_date").group_by(["person_id", "code"]).agg(pl.col("value_num").last()))
    for name, code in LABS.items():
        frame = frame.join(last.filter(pl.col("code") == code).select("person_id", pl.col("value_num").alias(name)),
                           on="person_id", how="left")
    years = patients.with_columns(pl.col("birth_date").map_elements(birth_year, return_dtype=pl.Float64).alias("by"),
                                  (pl.col("gender") == "female").cast(pl.Float64).alias("female"))
    frame = (frame.join(years.select("person_id", "by", "female"), on="person_id", how="left")
             .with_columns((pl.col("index_date").dt.year() - pl.col("by")).alias("age"))
             .join(htn, on="person_id", how="left").join(label, on="person_id", how="left")
             .with_columns(pl.col("hypertension").fill_null(0.0), pl.col("label").fill_null(0)))
    return frame


def main() -> int:
    dataset = sys.argv[1] if len(sys.argv) > 1 else "ehr-diabetes-cohort"
    data = Path(os.environ.get("MEDKOSH_DATA", "/data")) / dataset / "tables"
    out = Path(os.environ.get("MEDKOSH_OUT", "/out"))
    frame = build(data)
    medians = {f: _median(frame[f].to_numpy().astype(float)) for f in FEATURES}
    x = np.column_stack([np.nan_to_num(frame[f].to_numpy().astype(np.float32), nan=medians[f]) for f in FEATURES])
    y = frame["label"].to_numpy().astype(int)
    print(f"cohort: {len(y)} patients at risk, {int(y.sum())} progressed", flush=True)
    if len(set(y)) < 2 or len(y) < 20:
        print("not enough patients or outcomes to train", file=sys.stderr)
        return 2
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.3, random_state=7, stratify=y)
    model = GradientBoostingClassifier(n_estimators=150, max_depth=2, learning_rate=0.05, subsample=0.8,
                                       random_state=7).fit(x_tr, y_tr)
    p = model.predict_proba(x_te)[:, 1]
    onx = to_onnx(model, x[:1].astype(np.float32), options={id(model): {"zipmap": False}},
                  target_opset={"": 17, "ai.onnx.ml": 3})
    (out / "model.onnx").write_bytes(onx.SerializeToString())
    schema = {"task": "diabetic complication within 365 days of first type 2 diabetes diagnosis",
              "features": [{"name": f, "type": "float", "unit": UNITS[f], "impute": round(medians[f], 4)}
                           for f in FEATURES],
              "output": {"classes": [0, 1], "score": "probability of a complication within a year"},
              "algorithm": "scikit-learn gradient boosting classifier, 150 trees of depth 2"}
    (out / "schema.json").write_text(json.dumps(schema, indent=1))
    metrics = {"n_train": len(y_tr), "n_test": len(y_te), "positives_train": int(y_tr.sum()),
               "auroc_test": round(float(roc_auc_score(y_te, p)), 4) if len(set(y_te)) == 2 else None,
               "brier_test": round(float(brier_score_loss(y_te, p)), 4)}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1))
    with (out / "outcome_by_sex.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["sex", "n", "progressed_n"])
        for value, name in ((1.0, "female"), (0.0, "male")):
            mask = x[:, 0] == value
            w.writerow([name, int(mask.sum()), int(y[mask].sum())])
    print(json.dumps(metrics), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
