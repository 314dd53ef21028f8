"""What every report of Lanterne shares: its charts (palette, SVG) and how it writes numbers.

The diagnosis and the audit draw and write through here, and so will the publishing checks.
"""

from lanterne.report._charts import BLUE, GREEN, GREY, ORANGE, bars, pyplot, svg
from lanterne.report._numbers import NNBSP, count, decimal, number, pct, share_digits

__all__ = [
    "BLUE",
    "GREEN",
    "GREY",
    "NNBSP",
    "ORANGE",
    "bars",
    "count",
    "decimal",
    "number",
    "pct",
    "pyplot",
    "share_digits",
    "svg",
]
