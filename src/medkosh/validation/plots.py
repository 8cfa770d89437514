"""Small dependency-free SVG charts for reports and portal pages (reliability, decision curve, forest)."""

from __future__ import annotations

from html import escape
from typing import Any

W, H, PAD = 360, 260, 40


def _xy(x: float, y: float, x0: float, x1: float, y0: float, y1: float) -> tuple[float, float]:
    px = PAD + (x - x0) / ((x1 - x0) or 1) * (W - 2 * PAD)
    py = H - PAD - (y - y0) / ((y1 - y0) or 1) * (H - 2 * PAD)
    return round(px, 1), round(py, 1)


def _frame(title: str, xlab: str, ylab: str, body: str) -> str:
    return (f'<svg viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-label="{escape(title)}" '
            f'xmlns="http://www.w3.org/2000/svg" font-size="11" font-family="sans-serif">'
            f'<title>{escape(title)}</title>'
            f'<rect x="{PAD}" y="{PAD // 2}" width="{W - 2 * PAD}" height="{H - PAD - PAD // 2}" fill="none" '
            f'stroke="#999"/>{body}'
            f'<text x="{W / 2}" y="{H - 8}" text-anchor="middle">{escape(xlab)}</text>'
            f'<text x="12" y="{H / 2}" transform="rotate(-90 12 {H / 2})" text-anchor="middle">{escape(ylab)}</text>'
            f"</svg>")


def _line(points: list[tuple[float, float]], color: str, dash: str = "") -> str:
    d = " ".join(f"{x},{y}" for x, y in points)
    extra = f' stroke-dasharray="{dash}"' if dash else ""
    return f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="2"{extra}/>'


def reliability(bins: list[dict[str, Any]]) -> str:
    diag = _line([_xy(0, 0, 0, 1, 0, 1), _xy(1, 1, 0, 1, 0, 1)], "#bbb", "4 3")
    pts = [_xy(b["mean_predicted"], b["observed"], 0, 1, 0, 1) for b in bins]
    dots = "".join(f'<circle cx="{x}" cy="{y}" r="3" fill="#1f5fa8"/>' for x, y in pts)
    return _frame("Reliability: observed vs predicted risk", "predicted risk", "observed frequency",
                  diag + _line(pts, "#1f5fa8") + dots)


def decision(curve: list[dict[str, float]]) -> str:
    if not curve:
        return ""
    ys = [v for r in curve for v in (r["model"], r["treat_all"])]
    y0, y1 = max(min(ys), -0.05), max(max(ys), 0.05)
    t1 = curve[-1]["threshold"]

    def series(key: str) -> list[tuple[float, float]]:
        return [_xy(r["threshold"], max(r[key], y0), 0, t1, y0, y1) for r in curve]

    body = (_line(series("model"), "#1f5fa8") + _line(series("treat_all"), "#c0392b", "5 3")
            + _line([_xy(0, 0, 0, t1, y0, y1), _xy(t1, 0, 0, t1, y0, y1)], "#555", "2 2")
            + f'<text x="{W - PAD - 4}" y="{PAD}" text-anchor="end" fill="#1f5fa8">model</text>'
            + f'<text x="{W - PAD - 4}" y="{PAD + 13}" text-anchor="end" fill="#c0392b">treat all</text>')
    return _frame("Decision curve: net benefit", "threshold probability", "net benefit", body)


def forest(rows: list[tuple[str, float | None, float | None, float | None, bool]], x0: float = 0.3,
           x1: float = 1.0) -> str:
    """rows: (label, value, ci_low, ci_high, too_small)."""
    h = 22 * len(rows) + 40
    out = []
    for i, (label, v, lo, hi, small) in enumerate(rows):
        y = 24 + 22 * i
        color = "#999" if small else "#1f5fa8"

        def px(x: float) -> float:
            return round(150 + (min(max(x, x0), x1) - x0) / (x1 - x0) * 190, 1)

        out.append(f'<text x="4" y="{y + 4}">{escape(label)}{" (too small)" if small else ""}</text>')
        if lo is not None and hi is not None:
            out.append(f'<line x1="{px(lo)}" x2="{px(hi)}" y1="{y}" y2="{y}" stroke="{color}" stroke-width="2"/>')
        if v is not None:
            out.append(f'<circle cx="{px(v)}" cy="{y}" r="4" fill="{color}"/>')
    return (f'<svg viewBox="0 0 {W} {h}" width="{W}" height="{h}" xmlns="http://www.w3.org/2000/svg" '
            f'font-size="11" font-family="sans-serif" role="img" aria-label="AUROC by subgroup">'
            f'<title>AUROC by subgroup with 95% CI</title>{"".join(out)}'
            f'<text x="150" y="{h - 6}">{x0}</text><text x="330" y="{h - 6}">{x1}</text></svg>')
