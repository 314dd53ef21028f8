"""One record's diagnosis: every target, the score, failed rules and the next best action.

The next best action is found by applying each registered fix to a copy of the record and
diagnosing the copy again: the fix that lifts the most targets (a tier, an eligibility), then
the most score points, then the most Artsdata points, wins. A fix that would lower any target is
never proposed.
"""

from __future__ import annotations

from lanterne.diagnose._language import detect_language
from lanterne.diagnose._registry import fix_named, fixes, rules
from lanterne.diagnose._results import (
    Action,
    Diagnosis,
    Lift,
    Targets,
)
from lanterne.diagnose._targets import (
    METADATA_TIERS,
    artsdata,
    content_tier,
    edm_type,
    europeana_edm,
    image_licence,
    metadata_tier,
    rich_result,
    texts,
)
from lanterne.profile import Work


def _score(work: Work) -> tuple[int, list[str]]:
    total = passed = 0
    failed: list[tuple[int, str]] = []
    for rule in rules():
        if not rule.applies(work):
            continue
        total += rule.weight
        if rule.check(work):
            passed += rule.weight
        else:
            failed.append((rule.weight, rule.id))
    score = round(100 * passed / total) if total else 0
    return score, [rule_id for _, rule_id in sorted(failed, key=lambda f: -f[0])]


def targets(work: Work, edm: bool = True) -> tuple[Targets, list[str]]:
    """Every target for ``work``, and the rules it fails. ``edm=False``: without « EDM valid
    for Europeana », which no fix is ranked by (``levels``), for the copies a fix makes. A type
    Europeana does not take (events) has no EDM target, as it has no content tier: it is not
    counted among the works concerned (``lanterne publish check`` says why it is left out)."""
    score, failed = _score(work)
    found = Targets(
        score=score,
        europeana_metadata=metadata_tier(work),
        europeana_content=content_tier(work),
        rich_result=rich_result(work),
        image_licence=image_licence(work),
        artsdata=artsdata(work),
        europeana_edm=europeana_edm(work) if edm and edm_type(work.type) is not None else None,
    )
    return found, failed


def levels(t: Targets) -> dict[str, tuple[int, str]]:
    """Each target as a comparable level with its label, for before/after comparisons."""
    out = {
        "europeana.metadata": (
            METADATA_TIERS.index(t.europeana_metadata.tier),
            f"palier {t.europeana_metadata.tier}",
        )
    }
    if t.europeana_content is not None:
        c = t.europeana_content.tier
        out["europeana.content"] = (c, f"niveau {c}")
    for name, result in (("rich_result", t.rich_result), ("image_licence", t.image_licence)):
        if result is not None:
            label = f"{result.feature} {'éligible' if result.eligible else 'non éligible'}"
            out[name] = (int(result.eligible), label)
    if t.artsdata is not None:
        out["artsdata.eligible"] = (
            int(t.artsdata.eligible),
            "éligible Artsdata" if t.artsdata.eligible else "non éligible Artsdata",
        )
    return out


def compare(before: Targets, after: Targets) -> tuple[list[Lift], bool]:
    """Targets ``after`` lifts, and whether it lowers any target (score included)."""
    lifts: list[Lift] = []
    lowered = after.score < before.score
    a, b = levels(before), levels(after)
    for name, (level, label) in a.items():
        new_level, new_label = b.get(name, (level, label))
        if new_level > level:
            lifts.append(Lift(target=name, before=label, after=new_label))
        elif new_level < level:
            lowered = True
    old_points = before.artsdata.score if before.artsdata else 0
    new_points = after.artsdata.score if after.artsdata else 0
    if new_points < old_points:
        lowered = True
    return lifts, lowered


def _untagged_french(work: Work) -> int:
    return sum(1 for lang, text in texts(work) if not lang and detect_language(text) == "fr")


def _territory(work: Work) -> str | None:
    for t in work.diversity.territories:
        if t.code:
            return t.code
    return work.diversity.countries[0] if work.diversity.countries else None


def diagnose(work: Work, actions: bool = True) -> Diagnosis:
    """Diagnose one record; with ``actions``, also find its next best action."""
    found, failed = targets(work)
    diagnosis = Diagnosis(
        work_id=work.id,
        type=work.type.value,
        source=work.provenance.source,
        territory=_territory(work),
        targets=found,
        failed=failed,
        untagged_french=_untagged_french(work),
    )
    if actions:
        diagnosis.next_action, diagnosis.lifting = next_best_action(work, found)
    return diagnosis


def next_best_action(work: Work, before: Targets) -> tuple[Action | None, list[str]]:
    """The fix that raises ``work`` most without lowering any target, and every fix that raises it.

    Candidates are the registered fixes; ties keep registration order.
    """
    best: tuple[tuple[int, int, int], Action] | None = None
    lifting: list[str] = []
    for fix in fixes():
        changed = fix.apply(work)
        if changed is None or changed == work:
            continue
        after, _ = targets(changed, edm=False)
        lifts, lowered = compare(before, after)
        gain = after.score - before.score
        points = (after.artsdata.score if after.artsdata else 0) - (
            before.artsdata.score if before.artsdata else 0
        )
        if lowered or not (lifts or gain > 0 or points > 0):
            continue
        lifting.append(fix.id)
        key = (len(lifts), gain, points)
        if best is None or key > best[0]:
            action = Action(
                fix=fix.id,
                label_fr=fix.label[0],
                label_en=fix.label[1],
                score_gain=gain,
                lifts=lifts,
                artsdata_gain=points,
            )
            best = (key, action)
    return (best[1] if best else None), lifting


def apply_action(work: Work, action: Action) -> Work:
    """The record as its next best action would leave it."""
    changed = fix_named(action.fix).apply(work)
    assert changed is not None
    return changed
