"""A whole catalogue's diagnosis: distributions, tiers, eligibility and the fixes that lift most.

Built in one pass over the works (``diagnose`` with next best actions), broken down by source,
type and territory. The report is a plain ``msgspec`` struct: JSON for machines, and the input of
the HTML and PDF renderings.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

import msgspec

from lanterne import __version__
from lanterne.diagnose._diagnosis import diagnose
from lanterne.diagnose._registry import fixes, rules
from lanterne.diagnose._results import Diagnosis
from lanterne.profile import PROFILE_VERSION, Work

SCORE_BINS = 10
WORST = 25


class Share(msgspec.Struct, kw_only=True):
    eligible: int = 0
    total: int = 0


class FixImpact(msgspec.Struct, kw_only=True):
    fix: str
    label_fr: str
    label_en: str
    records: int
    """Records this fix would raise without lowering any target."""
    next_action: int
    """Records for which it is the next best action."""


class Group(msgspec.Struct, kw_only=True):
    records: int = 0
    mean_score: float = 0.0
    metadata_tiers: dict[str, int] = {}
    content_tiers: dict[str, int] = {}
    rich_results: dict[str, Share] = {}
    artsdata: Share = msgspec.field(default_factory=Share)
    top_fix: str | None = None


class RecordLine(msgspec.Struct, kw_only=True):
    work_id: str
    title: str
    score: int
    metadata_tier: str
    next_action_fr: str | None
    next_action_en: str | None
    gain: int


class CatalogueReport(msgspec.Struct, kw_only=True):
    generated_at: str
    lanterne: str = __version__
    profile_version: str = PROFILE_VERSION
    catalogue: str
    source: str | None
    records: int
    score_mean: float
    score_median: float
    score_histogram: list[int]
    """Records per score band: 0–9, 10–19, …, 90–100."""
    metadata_tiers: dict[str, int]
    content_tiers: dict[str, int]
    """Europeana content tier; ``n/a`` for what Europeana does not take (events)."""
    rich_results: dict[str, Share]
    image_licence: Share
    artsdata: Share
    artsdata_mean_score: float | None
    europeana_edm: Share = msgspec.field(default_factory=Share)
    """Works whose EDM record Europeana would accept (« EDM valide pour Europeana »)."""
    untagged_french: int
    """Records with French titles or descriptions that carry no language tag."""
    failed_rules: dict[str, int]
    top_fixes: list[FixImpact]
    by_source: dict[str, Group]
    by_type: dict[str, Group]
    by_territory: dict[str, Group]
    worst: list[RecordLine]
    """The lowest-scoring records, each with its next best action."""
    rule_weights: dict[str, int]


class _Acc:
    """Running totals for one group; two of them add up (``merge``), so that the works can be
    diagnosed in parts (processes, Spark partitions) and summed in any order."""

    def __init__(self) -> None:
        self.scores: Counter[int] = Counter()
        self.metadata: Counter[str] = Counter()
        self.content: Counter[str] = Counter()
        self.rich: dict[str, Share] = {}
        self.image = Share()
        self.artsdata = Share()
        self.artsdata_scores: Counter[int] = Counter()
        self.edm = Share()
        self.fixes: Counter[str] = Counter()
        self.next: Counter[str] = Counter()

    def add(self, d: Diagnosis) -> None:
        t = d.targets
        self.scores[t.score] += 1
        self.metadata[t.europeana_metadata.tier] += 1
        self.content[str(t.europeana_content.tier) if t.europeana_content else "n/a"] += 1
        if t.rich_result is not None:
            share = self.rich.setdefault(t.rich_result.feature, Share())
            share.total += 1
            share.eligible += int(t.rich_result.eligible)
        if t.image_licence is not None:
            self.image.total += 1
            self.image.eligible += int(t.image_licence.eligible)
        if t.artsdata is not None:
            self.artsdata.total += 1
            self.artsdata.eligible += int(t.artsdata.eligible)
            self.artsdata_scores[t.artsdata.score] += 1
        if t.europeana_edm is not None:
            self.edm.total += 1
            self.edm.eligible += int(t.europeana_edm.valid)
        self.fixes.update(d.lifting)
        if d.next_action is not None:
            self.next[d.next_action.fix] += 1

    def merge(self, other: _Acc) -> None:
        for mine, theirs in (
            (self.scores, other.scores),
            (self.artsdata_scores, other.artsdata_scores),
        ):
            mine.update(theirs)
        for mine_s, theirs_s in (
            (self.metadata, other.metadata),
            (self.content, other.content),
            (self.fixes, other.fixes),
            (self.next, other.next),
        ):
            mine_s.update(theirs_s)
        for feature, share in other.rich.items():
            _add_share(self.rich.setdefault(feature, Share()), share)
        for mine_share, their_share in (
            (self.image, other.image),
            (self.artsdata, other.artsdata),
            (self.edm, other.edm),
        ):
            _add_share(mine_share, their_share)

    @property
    def records(self) -> int:
        return sum(self.scores.values())

    def group(self) -> Group:
        top = self.fixes.most_common(1)
        return Group(
            records=self.records,
            mean_score=_mean(self.scores),
            metadata_tiers=dict(sorted(self.metadata.items())),
            content_tiers=dict(sorted(self.content.items())),
            rich_results=dict(sorted(self.rich.items())),
            artsdata=self.artsdata,
            top_fix=top[0][0] if top else None,
        )


def _add_share(mine: Share, theirs: Share) -> None:
    mine.eligible += theirs.eligible
    mine.total += theirs.total


def _mean(counts: Counter[int]) -> float:
    """The mean of integer scores kept as counts, rounded to one decimal (0.0 when empty)."""
    n = sum(counts.values())
    return round(sum(s * c for s, c in counts.items()) / n, 1) if n else 0.0


def _median(counts: Counter[int]) -> float:
    """The median of integer scores kept as counts (the mean of the two middle ones when their
    number is even, as ``statistics.median``)."""
    n = sum(counts.values())
    if not n:
        return 0.0
    wanted = sorted({(n - 1) // 2, n // 2})
    found: list[int] = []
    seen = 0
    for score in sorted(counts):
        seen += counts[score]
        while wanted and seen > wanted[0]:
            found.append(score)
            wanted.pop(0)
    return float(found[0]) if len(found) == 1 else (found[0] + found[1]) / 2


def _histogram(scores: Counter[int]) -> list[int]:
    bins = [0] * SCORE_BINS
    for s, n in scores.items():
        bins[min(s // 10, SCORE_BINS - 1)] += n
    return bins


class ReportBuilder:
    """A catalogue report summed up work by work (``add``), or part by part (``merge``): the
    report of the parts merged equals the report of the whole, whatever the order."""

    def __init__(self) -> None:
        self.total = _Acc()
        self.groups: dict[str, dict[str, _Acc]] = {"source": {}, "type": {}, "territory": {}}
        self.failed: Counter[str] = Counter()
        self.untagged = 0
        self.worst: list[tuple[int, str, RecordLine]] = []

    def add(self, d: Diagnosis, title: str) -> None:
        self.total.add(d)
        for kind, key in (
            ("source", d.source),
            ("type", d.type),
            ("territory", d.territory or "?"),
        ):
            self.groups[kind].setdefault(key, _Acc()).add(d)
        self.failed.update(d.failed)
        self.untagged += int(d.untagged_french > 0)
        action = d.next_action
        line = RecordLine(
            work_id=d.work_id,
            title=title,
            score=d.targets.score,
            metadata_tier=d.targets.europeana_metadata.tier,
            next_action_fr=action.label_fr if action else None,
            next_action_en=action.label_en if action else None,
            gain=action.score_gain if action else 0,
        )
        self.worst.append((d.targets.score, d.work_id, line))
        if len(self.worst) > 4 * WORST:
            self.worst = sorted(self.worst)[:WORST]

    def merge(self, other: ReportBuilder) -> ReportBuilder:
        self.total.merge(other.total)
        for kind, accs in other.groups.items():
            for key, acc in accs.items():
                self.groups[kind].setdefault(key, _Acc()).merge(acc)
        self.failed.update(other.failed)
        self.untagged += other.untagged
        # The WORST lowest (score, id) of the union are among the WORST lowest of each part.
        self.worst = sorted(self.worst + other.worst)[:WORST]
        return self

    def report(self, catalogue: str, source: str | None = None) -> CatalogueReport:
        total, groups = self.total, self.groups
        labels = {f.id: f.label for f in fixes()}
        # Ties broken by the fix's id, so that the order does not depend on the order of the
        # works (or of the parts merged).
        ranked = sorted(total.fixes.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
        top = [
            FixImpact(
                fix=fix_id,
                label_fr=labels[fix_id][0],
                label_en=labels[fix_id][1],
                records=count,
                next_action=total.next[fix_id],
            )
            for fix_id, count in ranked
        ]
        arts = total.artsdata_scores
        return CatalogueReport(
            generated_at=dt.datetime.now(dt.UTC)
            .isoformat(timespec="seconds")
            .replace("+00:00", "Z"),
            catalogue=catalogue,
            source=source,
            records=total.records,
            score_mean=_mean(total.scores),
            score_median=_median(total.scores),
            score_histogram=_histogram(total.scores),
            metadata_tiers=dict(sorted(total.metadata.items())),
            content_tiers=dict(sorted(total.content.items())),
            rich_results=dict(sorted(total.rich.items())),
            image_licence=total.image,
            artsdata=total.artsdata,
            artsdata_mean_score=_mean(arts) if arts else None,
            europeana_edm=total.edm,
            untagged_french=self.untagged,
            failed_rules=dict(sorted(self.failed.items(), key=lambda kv: (-kv[1], kv[0]))),
            top_fixes=top,
            by_source={k: a.group() for k, a in sorted(groups["source"].items())},
            by_type={k: a.group() for k, a in sorted(groups["type"].items())},
            by_territory={
                k: a.group()
                for k, a in sorted(
                    groups["territory"].items(), key=lambda kv: (-kv[1].records, kv[0])
                )
            },
            worst=[line for _, _, line in sorted(self.worst)[:WORST]],
            rule_weights={r.id: r.weight for r in rules()},
        )


def build_report(
    works: Iterable[Work], catalogue: str, source: str | None = None
) -> CatalogueReport:
    """Diagnose every work (with next best actions) and sum the catalogue up."""
    builder = ReportBuilder()
    for work in works:
        builder.add(diagnose(work), work.title)
    return builder.report(catalogue, source)
