"""What every report and page of Lanterne shares: its charts (palette, SVG), how it writes
numbers, and the names it gives codes, in French and in English (one gettext catalogue).

The diagnosis, the audit and the web pages draw, write and name through here, and so will the
publishing checks.
"""

from lanterne.messages import DOMAIN, LANGS, N_, Lang, translations
from lanterne.report._charts import BLUE, GREEN, GREY, ORANGE, bars, pyplot, svg
from lanterne.report._labels import (
    ACCESS,
    CREATION,
    FACET_NAMES,
    IDENTIFIERS,
    METHODS,
    OFFERS,
    PLACED_BY,
    REGION_ARTICLES,
    ROLES,
    SOURCES,
    WORK_TYPES,
    century,
    official_subdivision_names,
)
from lanterne.report._numbers import NNBSP, count, decimal, number, pct, share_digits

__all__ = [
    "ACCESS",
    "BLUE",
    "CREATION",
    "DOMAIN",
    "FACET_NAMES",
    "GREEN",
    "GREY",
    "IDENTIFIERS",
    "LANGS",
    "METHODS",
    "NNBSP",
    "N_",
    "OFFERS",
    "ORANGE",
    "PLACED_BY",
    "REGION_ARTICLES",
    "ROLES",
    "SOURCES",
    "WORK_TYPES",
    "Lang",
    "bars",
    "century",
    "count",
    "decimal",
    "number",
    "official_subdivision_names",
    "pct",
    "pyplot",
    "share_digits",
    "svg",
    "translations",
]
