"""An audit in parts that add up: what each slice of the captures contributes (sums per
resampling unit, surface, position, item, persona, and per persona and session), computed by
``partial`` and merged by ``Parts.merge``, from which ``run_audit`` draws every figure.

One process makes one part of all its rows; ``lanterne batch audit`` makes one per Spark
partition and merges them: the same sums, the same report. A part must hold whole lists and
whole (persona, session) cells, so that per-list and per-cell figures (intra-list diversity,
genre entropy) are computed where all their rows are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from lanterne.audit._metrics import MAX_UNITS, MIN_PERSONAS, grouped_sums
from lanterne.audit._report import AuditConfig

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

QUOTA_GROUPS = ("european=true", "eof=true", "european-or-eof=true")
"""The groups measured by position and over sessions, whatever groups a report shows."""


class Items:
    """What each distinct captured item counts as, decided once (on the driver) and shared by
    every part: group membership, genres."""

    def __init__(
        self,
        names: list[str],
        member: dict[str, Bools],
        known: dict[str, Bools],
        share_groups: list[str],
        genre_dist: Floats | None,
        taste: Floats | None,
        taste_values: list[str],
    ) -> None:
        self.names = names
        self.member = member
        self.known = known
        self.share_groups = share_groups
        self.synthetic = (
            member["creation=synthetic"] | member["creation=unknown"] | ~known["creation=synthetic"]
        )
        self.genre_dist = genre_dist
        """Items × genres of the captures (each row sums to 1, or 0): drift's genre entropy."""
        self.features: Floats | None = None
        """The same rows at unit length: intra-list diversity's cosines."""
        if genre_dist is not None:
            norms = np.linalg.norm(genre_dist, axis=1, keepdims=True)
            self.features = np.divide(
                genre_dist, norms, out=np.zeros_like(genre_dist), where=norms > 0
            )
        self.taste = taste
        """Items × ``taste_values`` (genres from captures, platform and Lanterne catalogues):
        miscalibration, when personas' histories are given."""
        self.taste_values = taste_values


class Lists:
    """Per list of a part: its surface, persona and resampling unit (global codes), its
    session (any code that, with the persona, tells its (persona, session) cell apart within
    the part), its time, and its reading order (any number that orders lists as they first
    appear in the files)."""

    def __init__(
        self,
        surface: Ints,
        persona: Ints,
        session: Ints,
        unit: Ints,
        time: Sequence[str],
        order: Ints,
    ) -> None:
        self.surface, self.persona, self.session, self.unit = surface, persona, session, unit
        self.time = np.asarray(time, dtype=np.str_)
        self.order = order


@dataclass(kw_only=True)
class Parts:
    """Sums that add up across parts (``merge``); cells are concatenated (each lies in one
    part)."""

    rows: int
    rows_per_surface: Floats
    lists_per_surface: Floats
    lists_per_unit: Floats
    weight: Floats
    """Units × surfaces: Σ weight."""
    hits: Floats
    """Share groups × units × surfaces: Σ weight of the group's slots."""
    most: Floats
    """… counting unknown slots in."""
    slots: Floats
    """Share groups × surfaces: slots in the group (unweighted) …"""
    seen: Floats
    """… and slots whose membership is known."""
    synthetic: Floats
    """Units: Σ weight of synthetic or unknown-creation slots."""
    exposure: Floats
    """Items: Σ weight."""
    by_position: Floats
    """7 × (highest position + 1): slots, then known and in-group slots of each quota group."""
    quota_seen: Floats
    """Quota groups: known slots."""
    ild: Floats
    """Σ mean pairwise cosine over lists of two items or more, and how many."""
    shown: Floats | None
    """Personas × ``taste_values``: Σ weight × genre share."""
    home: Floats
    """4 × personas on the home surface: Σ weight, in-group, counting unknown in, known."""
    cell_persona: Ints
    cell_time: list[str]
    cell_order: Ints
    """Per (persona, session) cell: the earliest time of its lists, and the reading order of
    the first list at that time (how sessions are numbered)."""
    cell_weight: Floats
    cell_hits: Floats
    """Quota groups × cells."""
    cell_seen: Floats
    cell_entropy: Floats
    """Bits of the genres shown in the cell (NaN: no genre)."""

    def merge(self, other: Parts) -> Parts:
        """The sums of both parts (``self`` is changed and returned)."""
        for name in (
            "rows_per_surface",
            "lists_per_surface",
            "lists_per_unit",
            "weight",
            "hits",
            "most",
            "slots",
            "seen",
            "synthetic",
            "exposure",
            "quota_seen",
            "ild",
            "home",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.rows += other.rows
        width = max(self.by_position.shape[1], other.by_position.shape[1])
        self.by_position = _pad(self.by_position, width) + _pad(other.by_position, width)
        if self.shown is not None and other.shown is not None:
            self.shown = self.shown + other.shown
        self.cell_persona = np.concatenate([self.cell_persona, other.cell_persona])
        self.cell_time = self.cell_time + other.cell_time
        self.cell_order = np.concatenate([self.cell_order, other.cell_order])
        self.cell_weight = np.concatenate([self.cell_weight, other.cell_weight])
        self.cell_hits = np.concatenate([self.cell_hits, other.cell_hits], axis=1)
        self.cell_seen = np.concatenate([self.cell_seen, other.cell_seen], axis=1)
        self.cell_entropy = np.concatenate([self.cell_entropy, other.cell_entropy])
        return self


def _pad(a: Floats, width: int) -> Floats:
    return np.pad(a, ((0, 0), (0, width - a.shape[1])))


def unit_kind(n_personas: int) -> str:
    """Personas are the resampling units when there are enough of them (one persona's lists
    are not independent), else blocks of lists."""
    return "persona" if n_personas >= MIN_PERSONAS else "list"


def n_blocks(n_lists: int) -> int:
    return min(n_lists, MAX_UNITS)


def list_blocks(keys: Sequence[Sequence[str]], seed: int, blocks: int) -> Ints:
    """The block of each list, from a keyed hash of its platform, surface, persona, session
    and time (and the seed): a list's block depends on the list alone, not on where or in what
    order it was read, so a Spark partition finds the block the whole file would give it."""
    key = seed.to_bytes(8, "little", signed=True)
    out = np.empty(len(keys), dtype=np.int64)
    for n, parts in enumerate(keys):
        h = hashlib.blake2b(key=key, digest_size=8)
        for part in parts:
            data = part.encode("utf-8", "surrogatepass")
            h.update(len(data).to_bytes(4, "little"))
            h.update(data)
        out[n] = int.from_bytes(h.digest(), "little") % blocks
    return out


def partial(
    rows: dict[str, Ints],
    lists: Lists,
    items: Items,
    config: AuditConfig,
    *,
    n_units: int,
    n_personas: int,
    n_surfaces: int,
    home: int | None,
) -> Parts:
    """The sums of some rows (``item``, ``position``, ``row``, ``column``, and ``list``: an
    index into ``lists``), holding whole lists and whole (persona, session) cells."""
    item, lst = rows["item"], rows["list"]
    position = rows["position"]
    w = config.weighting.weights(position, rows["row"], rows["column"])
    s, u, p = n_surfaces, n_units, n_personas
    surface = lists.surface[lst]
    unit = lists.unit[lst]
    persona = lists.persona[lst]
    by_us = unit * s + surface

    def sums(keys: Ints, weights: Floats | None, size: int) -> Floats:
        return np.bincount(keys, weights=weights, minlength=size).astype(np.float64)

    groups = items.share_groups
    hits = np.zeros((len(groups), u, s))
    most = np.zeros((len(groups), u, s))
    slots = np.zeros((len(groups), s))
    seen = np.zeros((len(groups), s))
    for g, name in enumerate(groups):
        m = items.member[name][item]
        k = items.known[name][item]
        hits[g] = sums(by_us, w * m, u * s).reshape(u, s)
        most[g] = sums(by_us, w * (m | ~k), u * s).reshape(u, s)
        slots[g] = sums(surface, m.astype(np.float64), s)
        seen[g] = sums(surface, k.astype(np.float64), s)
    highest = int(position.max()) if len(position) else 0
    by_position = [sums(position, None, highest + 1)]
    quota_seen = np.zeros(len(QUOTA_GROUPS))
    for q, name in enumerate(QUOTA_GROUPS):
        k = items.known[name][item]
        by_position.append(sums(position, k.astype(np.float64), highest + 1))
        quota_seen[q] = float(k.sum())
    for name in QUOTA_GROUPS:
        m = items.member[name][item]
        by_position.append(sums(position, m.astype(np.float64), highest + 1))
    home_sums = np.zeros((4, p))
    if home is not None:
        rows_home = surface == home
        hp, hw, hi = persona[rows_home], w[rows_home], item[rows_home]
        m = items.member["european-or-eof=true"][hi]
        k = items.known["european-or-eof=true"][hi]
        home_sums = np.stack(
            [sums(hp, hw, p), sums(hp, hw * m, p), sums(hp, hw * (m | ~k), p), sums(hp, hw * k, p)]
        )
    shown = None
    if items.taste is not None:
        shown = grouped_sums(persona, item, w, items.taste, p)
    cells = _cells(rows, lists, items, w)
    return Parts(
        rows=len(item),
        rows_per_surface=sums(surface, None, s),
        lists_per_surface=sums(lists.surface, None, s),
        lists_per_unit=sums(lists.unit, None, u),
        weight=sums(by_us, w, u * s).reshape(u, s),
        hits=hits,
        most=most,
        slots=slots,
        seen=seen,
        synthetic=sums(unit, w * items.synthetic[item], u),
        exposure=sums(item, w, len(items.names)),
        by_position=np.stack(by_position),
        quota_seen=quota_seen,
        ild=_ild(lst, item, items, len(lists.unit)),
        shown=shown,
        home=home_sums,
        **cells,
    )


def _ild(lst: Ints, item: Ints, items: Items, n_lists: int) -> Floats:
    """Σ over lists of two items or more of their mean pairwise cosine, and how many:
    (‖Σ f‖² − Σ ‖f‖²) / (n (n − 1)) per list."""
    if items.features is None or not n_lists:
        return np.zeros(2)
    features = items.features
    square = (grouped_sums(lst, item, None, features, n_lists) ** 2).sum(axis=1)
    self_sim = np.bincount(lst, weights=(features**2).sum(axis=1)[item], minlength=n_lists)
    n = np.bincount(lst, minlength=n_lists).astype(np.float64)
    pair = (square - self_sim) / np.maximum(n * (n - 1), 1)
    valid = n > 1
    return np.array([float(pair[valid].sum()), float(valid.sum())])


def _cells(rows: dict[str, Ints], lists: Lists, items: Items, w: Floats) -> dict[str, Any]:
    """Per (persona, session) cell: the key sessions are numbered by, Σ weight, and the quota
    groups' known and in-group weight, and the entropy of the genres shown."""
    item, lst = rows["item"], rows["list"]
    width = int(lists.session.max()) + 1 if len(lists.session) else 1
    cell_of_list = np.unique(lists.persona * width + lists.session, return_inverse=True)[1]
    cell_of_list = cell_of_list.astype(np.int64).ravel()
    n_cells = int(cell_of_list.max()) + 1 if len(cell_of_list) else 0
    # The earliest list of each cell: by time, then reading order.
    by_time = np.lexsort((lists.order, lists.time))
    _, first = np.unique(cell_of_list[by_time], return_index=True)
    earliest = by_time[first]
    row_cell = cell_of_list[lst]
    weight = np.bincount(row_cell, weights=w, minlength=n_cells)
    hits = np.zeros((len(QUOTA_GROUPS), n_cells))
    seen = np.zeros((len(QUOTA_GROUPS), n_cells))
    for q, name in enumerate(QUOTA_GROUPS):
        m = items.member[name][item]
        k = items.known[name][item]
        hits[q] = np.bincount(row_cell, weights=w * m, minlength=n_cells)
        seen[q] = np.bincount(row_cell, weights=w * k, minlength=n_cells)
    entropy = np.full(n_cells, np.nan)
    if items.genre_dist is not None:
        mass = grouped_sums(row_cell, item, w, items.genre_dist, n_cells)
        total = mass.sum(axis=1, keepdims=True)
        p = np.divide(mass, total, out=np.zeros_like(mass), where=total > 0)
        logs = np.log2(p, out=np.zeros_like(p), where=p > 0)
        entropy = -(p * logs).sum(axis=1)
        entropy[total[:, 0] == 0] = np.nan
    return {
        "cell_persona": lists.persona[earliest].astype(np.int64),
        "cell_time": [str(t) for t in lists.time[earliest]],
        "cell_order": lists.order[earliest].astype(np.int64),
        "cell_weight": weight.astype(np.float64),
        "cell_hits": hits,
        "cell_seen": seen,
        "cell_entropy": entropy.astype(np.float64),
    }
