"""Numbers as each language writes them: « 32 540 », « 99,5 % » with a narrow no-break space;
“32,540”, “99.5%”. Every report (diagnosis, audit) writes its figures through here.
"""

from __future__ import annotations

import math

NNBSP = "\u202f"
"""Narrow no-break space: French thousands separator and the space before « % »."""


def _fr(lang: str) -> bool:
    return lang != "en"


def number(x: float, lang: str, digits: int = 0) -> str:
    """``x`` with ``digits`` decimals, thousands grouped, in the language's signs."""
    if math.isnan(x):
        return "—"
    text = f"{x:,.{digits}f}"
    if _fr(lang):
        text = text.replace(",", NNBSP).replace(".", ",")
    return text.replace("-", "−")


def count(n: int, lang: str) -> str:
    return number(float(n), lang)


def share_digits(x: float, digits: int = 1, most: int = 6) -> int:
    """Decimals enough that a share short of 1 never reads 100 % and a share above 0 never
    reads 0 % (4,801 of 4,803 is 99.96 %, not 100.0 %)."""
    v = 100.0 * x
    while digits < most and 0.0 < x < 1.0 and (round(v, digits) >= 100.0 or round(v, digits) <= 0):
        digits += 1
    return digits


def pct(x: float | None, lang: str, digits: int = 1) -> str:
    """A share as a percentage (« 99,5 % », “99.5%”); « — » when there is none."""
    if x is None or math.isnan(x):
        return "—"
    text = number(100.0 * x, lang, share_digits(x, digits))
    return text + (f"{NNBSP}%" if _fr(lang) else "%")


def decimal(x: float | None, lang: str, digits: int = 2) -> str:
    return "—" if x is None or math.isnan(x) else number(x, lang, digits)
