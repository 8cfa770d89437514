"""Data-card figures (matplotlib, headless): each figure is returned as SVG text (HTML card) and as PNG
bytes (Markdown card)."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # no display on servers; must precede pyplot
import matplotlib.pyplot as plt
import polars as pl
from matplotlib.figure import Figure

from medkosh.catalog import census
from medkosh.catalog.card_stats import ColumnSummary, Representativeness


@dataclass(frozen=True)
class Plot:
    name: str
    title: str
    svg: str

    @property
    def data_uri(self) -> str:
        """The figure as a data: URI, so a Markdown card is one self-contained file."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


def _finish(fig: Figure, name: str, title: str, left: float = 0.3) -> Plot:
    # Fixed margins instead of tight_layout: one draw per figure (cards are built on busy 2-core hosts).
    fig.subplots_adjust(left=left, right=0.97, bottom=0.22, top=0.86, wspace=0.05)
    svg = io.StringIO()
    fig.savefig(svg, format="svg", metadata={"Date": None})
    plt.close(fig)
    text = svg.getvalue()
    return Plot(name, title, text[text.find("<svg"):])


def distribution(table: str, frame: pl.DataFrame, col: ColumnSummary) -> Plot | None:
    if col.numeric:
        values = frame[col.name].drop_nulls().cast(pl.Float64).to_list()
        fig, ax = plt.subplots(figsize=(4, 2.4))
        ax.hist(values, bins=20, color="#2b6cb0")
        ax.set_ylabel("rows")
    elif col.top:
        fig, ax = plt.subplots(figsize=(4, 2.4))
        labels = [v if len(v) <= 22 else v[:21] + "…" for v, _ in col.top][::-1]
        ax.barh(labels, [c for _, c in col.top][::-1], color="#2f855a")
        ax.set_xlabel("rows")
    else:
        return None
    ax.set_title(f"{table}.{col.name}", fontsize=9)
    return _finish(fig, f"{table}-{col.name}", f"Distribution of {table}.{col.name}",
                   left=0.15 if col.numeric else 0.42)


def missingness(table: str, cols: list[ColumnSummary]) -> Plot | None:
    missing = [c for c in cols if c.missing]
    if not missing:
        return None
    fig, ax = plt.subplots(figsize=(4, 0.4 + 0.25 * len(missing)))
    ax.barh([c.name for c in missing][::-1], [100 * c.missing_share for c in missing][::-1], color="#c05621")
    ax.set_xlabel("% missing")
    ax.set_xlim(0, 100)
    ax.set_title(f"Missingness in {table}", fontsize=9)
    return _finish(fig, f"{table}-missing", f"Missingness in {table}")


def pyramid(rep: Representativeness) -> Plot:
    fig, axes = plt.subplots(1, 2, figsize=(7, 3), sharey=True)
    bands = list(census.AGE_BANDS)
    for ax, data, title in ((axes[0], rep.pyramid, "This dataset"), (axes[1], rep.census_pyramid, "India (Census 2011)")):
        ax.barh(bands, [-100 * data[b][0] for b in bands], color="#2b6cb0", label="male")
        ax.barh(bands, [100 * data[b][1] for b in bands], color="#d53f8c", label="female")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("% of people (male ← | → female)")
        ax.axvline(0, color="black", linewidth=0.5)
    axes[0].legend(fontsize=7, loc="lower left")
    return _finish(fig, "age-sex-pyramid", "Age-sex pyramid: dataset and India", left=0.1)


def states(rep: Representativeness) -> Plot:
    codes = list(rep.states) or []
    top_census = sorted(rep.census_states, key=lambda c: -rep.census_states[c])[:8]
    codes = codes + [c for c in top_census if c not in codes]
    fig, ax = plt.subplots(figsize=(7, 3))
    xs = range(len(codes))
    ax.bar([x - 0.2 for x in xs], [100 * rep.states.get(c, 0.0) for c in codes], width=0.4,
           label="this dataset", color="#2b6cb0")
    ax.bar([x + 0.2 for x in xs], [100 * rep.census_states[c] for c in codes], width=0.4,
           label="India (Census 2011)", color="#a0aec0")
    ax.set_xticks(list(xs), codes, fontsize=8)
    ax.set_ylabel("% of people")
    ax.legend(fontsize=7)
    ax.set_title("State distribution", fontsize=9)
    return _finish(fig, "states", "State distribution: dataset and India", left=0.1)
