"""Charts of Lanterne's reports, drawn by matplotlib as inline SVG (no network, no JavaScript)."""

from __future__ import annotations

import html
import io
import re
from functools import cache
from typing import TYPE_CHECKING, Any

from lanterne.report._numbers import number

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Colour-blind-safe palette (Okabe & Ito), dark enough on white for WCAG 2.1 non-text contrast.
BLUE = "#0072B2"
ORANGE = "#D55E00"
GREEN = "#009E73"
GREY = "#595959"


@cache
def pyplot() -> Any:
    """matplotlib's pyplot, set up for Lanterne's charts: imported on the first chart (0.4 s),
    not by every command that imports the report's number formatting."""
    import matplotlib

    matplotlib.use("Agg")  # no screen: draw to files only
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "font.family": "DejaVu Sans",
            "font.size": 10,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.fonttype": "none",  # text stays text: searchable, and read by screen readers
            "svg.hashsalt": "lanterne",  # same report, same SVG ids
        }
    )
    return plt


def svg(fig: Figure, title: str) -> str:
    """The figure as an inline ``<svg>`` named ``title`` for screen readers; closes it."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    pyplot().close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    # An accessible name for the picture; the same figures are in a table next to it.
    return re.sub(r"<svg ", f'<svg role="img" aria-label="{html.escape(title)}" ', svg, count=1)


def grouped(value: float) -> str:
    """A count with thin spaces between thousands, as French typography writes it."""
    return number(value, "fr")


def bars(
    labels: list[str],
    values: list[float],
    title: str,
    xlabel: str = "",
    horizontal: bool = False,
    color: str = BLUE,
) -> str:
    height = max(2.2, 0.38 * len(labels) + 0.8) if horizontal else 2.8
    fig, ax = pyplot().subplots(figsize=(6.4, height))
    if horizontal:
        positions = list(range(len(labels)))[::-1]
        ax.barh(positions, values, color=color)
        ax.set_yticks(positions, labels)
        ax.set_xlabel(xlabel)
        for y, v in zip(positions, values, strict=True):
            ax.text(v, y, " " + grouped(v), va="center", fontsize=9)
    else:
        ax.bar(range(len(labels)), values, color=color)
        crowded = len(labels) > 6
        ax.set_xticks(
            range(len(labels)),
            labels,
            rotation=35 if crowded else 0,
            ha="right" if crowded else "center",
        )
        ax.set_ylabel(xlabel)
        for x, v in enumerate(values):
            ax.text(x, v, grouped(v), ha="center", va="bottom", fontsize=9)
    ax.set_title(title, loc="left", fontsize=11)
    return svg(fig, title)
