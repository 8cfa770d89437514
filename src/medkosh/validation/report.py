"""The validation report rendered: HTML with SVG plots (the JSON is the report itself) and PDF on request."""

from __future__ import annotations

from html import escape
from typing import Any

from medkosh.validation import plots

ORDER = ("auroc", "auprc", "sensitivity", "specificity", "ppv", "npv", "brier", "ece", "calibration_slope",
         "calibration_intercept")


def _fmt(v: Any) -> str:
    return "—" if v is None else (f"{v:.3f}" if isinstance(v, float) else escape(str(v)))


def _metric_rows(metrics: dict[str, Any]) -> str:
    rows = []
    for k in ORDER:
        m = metrics.get(k)
        if m:
            rows.append(f"<tr><th scope=row>{k}</th><td>{_fmt(m.get('value'))}</td>"
                        f"<td>{_fmt(m.get('ci_low'))} – {_fmt(m.get('ci_high'))}</td></tr>")
    return "".join(rows)


def _subgroups(subs: dict[str, Any]) -> str:
    parts = []
    for kind, sub in subs.items():
        rows = []
        forest = []
        for lv in sub["levels"]:
            m = lv["metrics"]
            a = m.get("auroc", {})
            forest.append((lv["level"], a.get("value"), a.get("ci_low"), a.get("ci_high"), lv["too_small_to_judge"]))
            rows.append(f"<tr><th scope=row>{escape(lv['level'])}</th><td>{lv['n']}</td><td>{lv['events']}</td>"
                        + "".join(f"<td>{_fmt(m.get(k, {}).get('value'))}</td>"
                                  for k in ("auroc", "sensitivity", "specificity", "ppv", "positive_rate"))
                        + f"<td>{'too small to judge' if lv['too_small_to_judge'] else ''}</td></tr>")
        gaps = sub.get("gaps", {})
        gap_txt = "; ".join(f"{k.replace('_', ' ')} {_fmt(g['value'])} ({_fmt(g.get('ci_low'))}–{_fmt(g.get('ci_high'))},"
                            f" {escape(str(g['highest']))} vs {escape(str(g['lowest']))})"
                            for k, g in gaps.items() if k != "largest_gap_by_metric" and g)
        parts.append(f"<h3>{escape(kind)}</h3><table><thead><tr><th>subgroup</th><th>n</th><th>events</th><th>AUROC</th>"
                     f"<th>sensitivity</th><th>specificity</th><th>PPV</th><th>positive rate</th><th></th></tr></thead>"
                     f"<tbody>{''.join(rows)}</tbody></table><p>{gap_txt or escape(sub.get('note') or '')}</p>"
                     f"{plots.forest(forest)}")
    return "".join(parts)


def _shap(r: dict[str, Any]) -> str:
    shap = (r.get("explainability") or {}).get("shap")
    if not isinstance(shap, dict):
        return f"<p>SHAP: {escape(str(shap or 'not computed'))}</p>"
    rows = "".join(f"<tr><td>{escape(f['feature'])}</td><td>{f['mean_abs_shap']:.4f}</td><td>{f['mean_shap']:+.4f}</td>"
                   f"<td>{'higher raises the score' if f['value_direction'] > 0.1 else 'higher lowers the score' if f['value_direction'] < -0.1 else 'mixed'}</td></tr>"
                   for f in shap["features"])
    return (f"<h3>SHAP summary</h3><p>{escape(shap['method'])}; mean score of the background rows "
            f"{shap['expected_score']:.4f}.</p><table><thead><tr><th>feature</th><th>mean |SHAP|</th><th>mean SHAP</th>"
            f"<th>direction</th></tr></thead><tbody>{rows}</tbody></table>")


def to_html(r: dict[str, Any]) -> str:
    verdict = "PASSED" if r["pass"]["passed"] else "FAILED"
    crit = "".join(f"<li>{'✔' if c['passed'] else '✘'} {escape(c['criterion'])}: {_fmt(c['value'])}</li>"
                   for c in r["pass"]["criteria"])
    imp = "".join(f"<tr><td>{escape(i['feature'])}</td><td>{i['auroc_drop']:.4f}</td><td>{i['sd']:.4f}</td></tr>"
                  for i in (r.get("explainability") or {}).get("permutation_importance", []))
    tripod = "".join(f"<tr><td>{escape(t['item'])}</td><td>{escape(t['title'])}</td><td>{escape(t['status'])}</td></tr>"
                     for t in r.get("tripod_ai", []))
    bench = r.get("benchmark") or {}
    missing = ", ".join(r.get("subgroups_not_in_benchmark", [])) or "none"
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Validation report {escape(str(r.get('model_version', '')))}</title>
<style>body{{font-family:sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:2px 6px;text-align:left}}.ok{{color:#176b2c}}.bad{{color:#a01b1b}}</style></head><body>
<h1>Validation report: {escape(str(r.get('model_version', '')))}</h1>
<p>Benchmark {escape(str(bench.get('dataset', '')))} version {escape(str(bench.get('version', ''))[:16])} (sealed; aggregates only) ·
protocol {escape(str(r['protocol']['id']))} v{r['protocol']['version']} · n = {r['n']}, events = {r['events']} ·
threshold {r['threshold']['value']:.4f} ({escape(r['threshold']['method'])})</p>
<h2 class="{'ok' if r['pass']['passed'] else 'bad'}">{verdict}</h2><ul>{crit}</ul>
<h2>Performance (95% CI: {escape(r['ci_method'])})</h2>
<table><thead><tr><th>metric</th><th>value</th><th>95% CI</th></tr></thead><tbody>{_metric_rows(r['metrics'])}</tbody></table>
<h2>Calibration and clinical utility</h2>{plots.reliability(r['calibration']['reliability'])} {plots.decision(r['decision_curve'])}
<h2>Subgroups and fairness</h2><p>Subgroups not in this benchmark: {escape(missing)}.</p>{_subgroups(r['subgroups'])}
<h2>Explainability</h2><table><thead><tr><th>feature</th><th>AUROC drop when permuted</th><th>sd</th></tr></thead>
<tbody>{imp}</tbody></table>{_shap(r)}
<h2>TRIPOD+AI items</h2><table><thead><tr><th>item</th><th>title</th><th>status</th></tr></thead><tbody>{tripod}</tbody></table>
</body></html>"""


def to_pdf(r: dict[str, Any]) -> bytes:
    """A text-and-tables PDF (reportlab); the plots stay in the HTML report."""
    import io

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    buf = io.BytesIO()
    story: list[Any] = [Paragraph(escape(f"Validation report: {r.get('model_version', '')}"), styles["Title"]),
                        Paragraph(escape(f"n = {r['n']}, events = {r['events']}; threshold {r['threshold']['value']:.4f}"
                                         f" ({r['threshold']['method']}); {'PASSED' if r['pass']['passed'] else 'FAILED'}"),
                                  styles["Normal"]), Spacer(1, 8)]
    rows = [["metric", "value", "95% CI"]] + [[k, _fmt(m.get("value")), f"{_fmt(m.get('ci_low'))} – {_fmt(m.get('ci_high'))}"]
                                              for k in ORDER if (m := r["metrics"].get(k))]
    t = Table(rows)
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey)]))
    story += [t, Spacer(1, 8)]
    for c in r["pass"]["criteria"]:
        story.append(Paragraph(escape(f"{'PASS' if c['passed'] else 'FAIL'} {c['criterion']}: {_fmt(c['value'])}"),
                               styles["Normal"]))
    for kind, sub in r["subgroups"].items():
        story.append(Paragraph(escape(f"Subgroups: {kind}"), styles["Heading3"]))
        srows = [["subgroup", "n", "events", "AUROC", "sensitivity", "note"]]
        for lv in sub["levels"]:
            srows.append([lv["level"], lv["n"], lv["events"], _fmt(lv["metrics"].get("auroc", {}).get("value")),
                          _fmt(lv["metrics"].get("sensitivity", {}).get("value")),
                          "too small" if lv["too_small_to_judge"] else ""])
        st = Table(srows)
        st.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey)]))
        story.append(st)
    SimpleDocTemplate(buf, pagesize=A4).build(story)
    return buf.getvalue()
