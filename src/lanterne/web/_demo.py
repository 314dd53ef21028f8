"""What ``make demo`` shows beyond the catalogue: the home page's goals, and two exposure audits
of Lanterne's own home grid (without and with those goals) made by simulated visitors."""

from __future__ import annotations

from pathlib import Path

import msgspec

from lanterne.audit import AuditConfig, Captures, Persona, Weighting, run_audit, simulate
from lanterne.recommend import LanterneLocal, RecommenderService
from lanterne.web._site import HomeSettings

DEMO_HOME = HomeSettings(
    goals=["territory=FR-BRE:#1", "territory=FR-20R:#1", "territory=FR-971:#1"],
    surface="grid",
    k=12,
)
"""Public-service goals, not content types: every home list shows at least one work from
Bretagne, one from Corse and one from Guadeloupe (regions the demo catalogue holds few works of).
Goals on French-language or original French expression works (``eof=true:0.4``) need catalogues
that declare them; the demo's two sources do not."""

GROUPS = (
    "type=Festival",
    "type=CreativeWork",
    "territory=FR-BRE",
    "territory=FR-20R",
    "territory=FR-971",
)


def personas(service: RecommenderService, n: int = 40) -> list[Persona]:
    """Visitors who start from three works of one kind; a quarter never click (controls)."""
    by_type: dict[str, list[str]] = {}
    for item in service.dataset.items:
        kind = service.attributes(service.dataset.item_index[item]).get("type", ["?"])[0]
        by_type.setdefault(kind, []).append(item)
    kinds = sorted(by_type, key=lambda k: -len(by_type[k]))[:2]
    people = []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        pool = by_type[kind]
        start = (i * 7) % max(1, len(pool) - 3)
        people.append(
            Persona(
                name=f"visiteur-{i + 1:02d}",
                history=pool[start : start + 3],
                group="control" if i % 4 == 0 else "treated",
                taste={"type": kind},
            )
        )
    return people


def write_demo_audits(service: RecommenderService, folder: Path, sessions: int = 4) -> list[Path]:
    """Audit the home grid without goals and with ``DEMO_HOME``'s; the reports' JSON files."""
    folder.mkdir(parents=True, exist_ok=True)
    people = personas(service)
    histories = {p.name: p.history for p in people}
    written = []
    for name, goals in (
        ("accueil-sans-objectifs", ()),
        ("accueil-avec-objectifs", tuple(DEMO_HOME.goals)),
    ):
        platform = LanterneLocal(service, k=DEMO_HOME.k, surface="grid", goals=goals)
        captures = Captures()
        for row, capture in enumerate(simulate(platform, people, sessions)):
            captures.read += 1
            captures.add(capture, "simulation", row + 1)
        config = AuditConfig(weighting=Weighting(kind="grid"), groups=GROUPS, resamples=500)
        report = run_audit(captures, config, histories=histories)
        path = folder / f"{name}.json"
        path.write_bytes(msgspec.json.format(msgspec.json.encode(report)))
        written.append(path)
    return written
