"""What an audit is configured with and what it reports: the types the audit's steps share.

Kept apart from the steps that fill them (``_audit``, ``_drift``, ``_summary``) so that each
step imports the types and none imports another step back.
"""

from __future__ import annotations

import msgspec

from lanterne.audit._metrics import Interval
from lanterne.audit._weighting import Weighting


class Quotas(msgspec.Struct, frozen=True, kw_only=True):
    """Thresholds of the verdicts (French SMAD rules by default: décret 2021-793)."""

    catalogue_european: float = 0.6
    catalogue_eof: float = 0.4
    home: float = 0.5
    """European or EOF share of the home surface's prominence-weighted slots ("a substantial
    proportion": the figure is a parameter, not in the decree)."""
    home_surface: str = "home"


class AuditConfig(msgspec.Struct, frozen=True, kw_only=True):
    weighting: Weighting = Weighting()
    quotas: Quotas = Quotas()
    resamples: int = 1000
    level: float = 0.95
    seed: int = 0
    permutations: int = 1000
    groups: tuple[str, ...] = (
        "european=true",
        "eof=true",
        "francophone=true",
        "independent=true",
    )


class Share(msgspec.Struct, kw_only=True):
    group: str
    exposure: Interval | None
    """Share of the prominence-weighted slots (a slot whose attribute is unknown counts as not
    in the group); ``None`` when the attribute is unknown for every slot: no data, not 0 %."""
    slots: float | None
    """Share of slots, unweighted."""
    catalogue: float | None = None
    """Share among the catalogue's works whose attribute is known."""
    known: float
    """Share of the slots whose membership is known."""
    upper: Interval | None = None
    """The share if every slot of unknown membership were in the group (the verdicts' upper
    bound); ``None`` when every slot is known."""


class Join(msgspec.Struct, kw_only=True):
    """How the captured ids met the Lanterne catalogue (attributes missing from a capture are
    read from it)."""

    items: int
    """Distinct items of the captures."""
    found: int
    """Of them, works of the catalogue."""
    source: str | None = None
    """The catalogue source raw ids belong to (``--source``)."""
    example: str | None = None
    """A captured id the catalogue does not have."""
    platform_items: int | None = None
    """Ids of the platform's catalogue (``--platform-catalogue``) …"""
    platform_found: int | None = None
    """… and of them, works of the Lanterne catalogue."""


class Compliance(msgspec.Struct, kw_only=True):
    """A list rule judged persona by persona: how many personas' lists meet it."""

    rule: str
    threshold: float
    personas: int
    """Personas shown the rule's surface."""
    met: int
    not_met: int
    undetermined: int
    """Slots of unknown membership leave the comparison open."""
    no_data: int
    """Membership unknown for every slot the persona was shown."""
    quantiles: list[float]
    """Minimum, first quartile, median, third quartile, maximum of the personas' shares."""
    histogram: list[int]
    """Personas per tenth of the share: [0, 10 %), [10 %, 20 %) … [90 %, 100 %]."""


class Verdict(msgspec.Struct, kw_only=True):
    rule: str
    threshold: float
    value: Interval | None
    verdict: str
    """``met`` (the interval lies at or above, even with unknown slots counted out), ``not
    met`` (below, even with unknown slots counted in), ``uncertain`` (it straddles) or ``no
    data`` (membership unknown for every slot)."""
    known: float | None = None
    """Share of the slots (or catalogue works) whose membership is known."""
    upper: Interval | None = None


class Drift(msgspec.Struct, kw_only=True):
    metric: str
    slope: Interval
    """Mean per-persona change per session (non-control personas)."""
    control_slope: Interval | None
    p_value: float | None
    """Permutation test: treated vs control slopes."""
    by_session: list[float | None]
    """Per session (1…), the treated personas' mean; ``None`` where none has data."""
    by_session_low: list[float | None]
    by_session_high: list[float | None]
    control_by_session: list[float | None]


class Report(msgspec.Struct, kw_only=True):
    parameters: dict[str, object]
    counts: dict[str, int]
    unit: str
    surfaces: dict[str, int]
    shares: dict[str, list[Share]]
    """Per surface (and ``all``)."""
    by_position: dict[str, list[float | None]]
    """Per group, its share of each position (1…), all surfaces; ``None`` where no slot's
    membership is known."""
    exposure_gini: float
    exposure_entropy: float
    coverage: float | None
    long_tail_share: float
    intra_list_diversity: float | None
    miscalibration: Interval | None
    """Mean over personas of KL(p_history ‖ q̃_shown) over genres (Steck, α = 0.01)."""
    synthetic_or_unknown: Interval
    lorenz: tuple[list[float], list[float]]
    verdicts: list[Verdict]
    drift: list[Drift]
    countries: list[tuple[str, float]]
    territories: list[tuple[str, float]]
    summary: dict[str, list[str]]
    compliance: list[Compliance] = []
    join: Join | None = None
