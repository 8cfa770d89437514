"""Generate a version's data card, as Markdown (figures as embedded PNG) and HTML (inline SVG).

The card is written before the PHI gate runs and is scanned with the data, so nothing on it escapes
the release checks.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from medkosh.catalog import plots
from medkosh.catalog.card_stats import ColumnSummary, guarantees, representativeness, summarise
from medkosh.catalog.consent_filter import ConsentView
from medkosh.catalog.manifest import Manifest
from medkosh.catalog.prepare import Prepared
from medkosh.catalog.spec import DatasetSpec
from medkosh.catalog.types import Tier

_PLOTS_PER_TABLE = 4
TIER_TEXT = {
    Tier.OPEN: "open — aggregate or synthetic data, available to anyone",
    Tier.REGISTERED: "registered — anonymised; download after signing the data use agreement",
    Tier.CONTROLLED: "controlled — usable only inside the trusted research environment after committee approval",
}
_env = Environment(loader=FileSystemLoader(str(Path(__file__).with_name("templates"))),
                   autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


@dataclass(frozen=True)
class CardInput:
    spec: DatasetSpec
    version_id: str
    number: int
    built_at: dt.datetime
    prepared: Prepared
    view: ConsentView
    manifest: Manifest


COMMON_PROTECTION = ("Every table: patient keys replaced by person ids keyed with this dataset's own secret "
                     "(unlinkable to other datasets), hospital record ids re-keyed, every date shifted by a fixed "
                     "per-patient offset, only the listed columns released, and a PHI scan of every file.")


def _protection(sel: Any) -> str:
    if sel.text_column:
        return (f"free text in `{sel.text_column}` de-identified by the medkosh note de-identifier "
                "(identifiers replaced by [LABEL] tags, dates shifted with the patient's offset)")
    if sel.object_column:
        return ("DICOM de-identified under PS3.15 (Basic profile, modified dates, clean descriptors) at ingest, "
                "re-keyed per dataset; instances awaiting burned-in-text review left out")
    return "no k-anonymity recipe (no quasi-identifiers released in this table)"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def card_context(ci: CardInput) -> dict[str, Any]:
    tables = []
    for t in ci.prepared.tables:
        cols = summarise(t.frame, t.select.text_column)
        drawn = (plots.distribution(t.name, t.frame, c) for c in cols)
        figs = list(itertools.islice((p for p in drawn if p is not None), _PLOTS_PER_TABLE))
        miss = plots.missingness(t.name, cols)
        tables.append({"name": t.name, "source": t.select.source, "rows": t.frame.height, "columns": cols,
                       "plots": ([miss] if miss else []) + figs, "recipe": t.recipe is not None,
                       "guarantees": guarantees(t.report), "protection": _protection(t.select)})
    rep = representativeness(ci.prepared.demographics)
    rep_plots = [plots.pyramid(rep), plots.states(rep)] if rep else []
    spec = ci.spec
    return {
        "spec": spec, "ref": f"{spec.id}@{ci.number}", "version_id": ci.version_id, "number": ci.number,
        "tier_text": TIER_TEXT[spec.tier], "built_at": ci.built_at.isoformat(timespec="seconds"),
        "tables": tables, "patients": len(ci.prepared.members),
        "rows": sum(t.frame.height for t in ci.prepared.tables),
        "files": len(ci.manifest.files), "size": sum(f.size for f in ci.manifest.files),
        "common_protection": COMMON_PROTECTION,
        "consent": {"snapshot": ci.view.snapshot_id, "cohort": ci.prepared.cohort_size,
                    "eligible": ci.prepared.cohort_eligible, "excluded": ci.prepared.cohort_excluded,
                    "purpose": spec.consent.purpose, "hi_types": spec.consent.hi_types,
                    "window": f"{spec.consent.window_from} to {spec.consent.window_to}"},
        "provenance": {"sources": sorted({t.select.source for t in ci.prepared.tables}),
                       "code_version": ci.manifest.code_version, "spec_sha256": ci.manifest.spec_sha256},
        "rep": rep, "rep_plots": rep_plots, "fmt": _fmt,
    }


def _col_row(c: ColumnSummary, fmt: Any) -> str:
    stats = ", ".join(f"{k} {fmt(v)}" for k, v in c.numeric.items())
    if c.top:
        stats = ", ".join(f"{v} ({n})" for v, n in c.top)
    if c.values_hidden:
        stats = (stats + "; " if stats else "") + "values not shown (identifier, free text or small counts)"
    return f"| {c.name} | {c.dtype} | {100 * c.missing_share:.1f}% | {c.distinct} | {stats} |"


def _img(p: plots.Plot) -> str:
    return f"![{p.title}]({p.data_uri})"


def markdown(ctx: dict[str, Any]) -> str:
    spec, fmt = ctx["spec"], ctx["fmt"]
    out = [f"# {spec.name} — data card ({ctx['ref']})", "", spec.description, "",
           f"- **Version id (manifest sha256):** `{ctx['version_id']}`", f"- **Access tier:** {ctx['tier_text']}",
           f"- **Licence:** {spec.licence}", f"- **Steward:** {spec.steward}, {spec.institution}",
           f"- **Modality:** {spec.modality.value}; **conditions (ICD-10):** {', '.join(spec.conditions) or '—'}",
           f"- **Size:** {ctx['rows']} rows, {ctx['patients']} patients, {ctx['files']} files, {ctx['size']} bytes",
           "", "## Tables", ""]
    for t in ctx["tables"]:
        out += [f"### {t['name']} ({t['rows']} rows, from raw table `{t['source']}`)", "",
                "| column | type | missing | distinct | summary |", "| --- | --- | --- | --- | --- |"]
        out += [_col_row(c, fmt) for c in t["columns"]]
        out += ["", *(_img(p) for p in t["plots"]), ""]
    out += ["## Anonymisation and privacy guarantees", "", ctx["common_protection"], ""]
    for t in ctx["tables"]:
        if t["recipe"]:
            out.append(f"- `{t['name']}`: anonymisation recipe applied:")
            out += [f"  - {label}: {value}" for label, value in t["guarantees"]]
        else:
            out.append(f"- `{t['name']}`: {t['protection']}")
    c = ctx["consent"]
    out += ["", "## Consent coverage", "",
            f"Purpose {c['purpose']}, health-information types {', '.join(c['hi_types'])}, window {c['window']}; "
            f"consent snapshot `{c['snapshot']}`.", "",
            "| patients | count |", "| --- | --- |", f"| in the cohort | {c['cohort']} |", f"| eligible | {c['eligible']} |"]
    out += [f"| excluded: {reason.replace('_', ' ')} | {n} |" for reason, n in c["excluded"].items()]
    p = ctx["provenance"]
    out += ["", "## Provenance", "", f"- Sources (raw zone tables): {', '.join(p['sources'])}",
            f"- Built: {ctx['built_at']}", f"- Code version: `{p['code_version']}`", f"- Spec sha256: `{p['spec_sha256']}`",
            "", "## Intended uses", "", *(f"- {u}" for u in spec.intended_uses or ["(not stated)"]),
            "", "## Limitations", "", *(f"- {u}" for u in spec.limitations or ["(not stated)"]), ""]
    rep = ctx["rep"]
    if rep is not None:
        out += ["## Representativeness against India's population", "",
                f"{rep.patients} patients; {rep.suppressed_cells} cells under 5 people left out. "
                f"Reference: {rep.citation}.", "", *(_img(p_) for p_ in ctx["rep_plots"]), "",
                "| state | this dataset | India |", "| --- | --- | --- |"]
        out += [f"| {code} | {100 * share:.1f}% | {100 * rep.census_states[code]:.1f}% |"
                for code, share in rep.states.items()]
        out.append("")
    return "\n".join(out)


def render(ci: CardInput) -> tuple[str, str]:
    """(Markdown, HTML) of the data card."""
    ctx = card_context(ci)
    html = _env.get_template("card.html").render(**ctx)
    return markdown(ctx), html
