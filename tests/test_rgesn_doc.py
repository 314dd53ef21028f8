"""docs/rgesn.md, the RGESN 2024 self-assessment, kept honest (issue 22): exactly the
referential's 78 criteria with their priorities, each under its family, a verdict that agrees
with whom the criterion applies to, evidence for every « Conforme », every cited path and test
present in this repository, and totals that are the rows' own."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "rgesn.md"

PRIORITIES = {"P": "Prioritaire", "R": "Recommandé", "M": "Modéré"}
REFERENTIAL = {
    # family: the priority of criteria N.1, N.2, … in order (RGESN 2024, Arcep/Arcom/ADEME; the
    # two public copies read for docs/rgesn.md agree on every one).
    1: "PPRPPRMRPR",  # Stratégie, 1.1–1.10
    2: "PPRPPRPPMP",  # Spécifications, 2.1–2.10
    3: "PRMPMMM",  # Architecture, 3.1–3.7
    4: "PPRRMRMMMMMRPRR",  # UX/UI, 4.1–4.15
    5: "RRPPPMMR",  # Contenus, 5.1–5.8
    6: "RRMRRMM",  # Frontend, 6.1–6.7
    7: "RRMP",  # Backend, 7.1–7.4
    8: "PPPRRRRMRR",  # Hébergement, 8.1–8.10
    9: "PPPPPRP",  # Algorithmie, 9.1–9.7
}
EXPECTED = {
    f"{family}.{n}": PRIORITIES[letter]
    for family, letters in REFERENTIAL.items()
    for n, letter in enumerate(letters, start=1)
}
"""Criterion id → priority, in the referential's order."""

VERDICTS = ("Conforme", "Non conforme", "Non applicable")
APPLIES = ("oui", "partagé", "déploiement", "non")
NOT_OURS = ("déploiement", "non")
"""A criterion is « Non applicable » exactly when it is the host's or the feature does not exist."""

ROW = re.compile(r"^\| (\d+\.\d+) \|(.*)\|$")
CODE = re.compile(r"`([^`\n]+)`")
PATH_LIKE = re.compile(
    r"^[\w.-]+(?:/[\w.@-]+)+$"  # a path with a folder
    r"|^[\w.-]+\.(?:py|md|toml|txt|lock|json|csv|j2|css|js|svg)$"  # a file at the root
)
ROOT_FILES = ("Makefile",)


class Row(NamedTuple):
    id: str
    label: str
    priority: str
    applies: str
    verdict: str
    evidence: str
    family: int  # the family heading the row is under


def rows(text: str) -> tuple[list[Row], list[str]]:
    """The criteria rows of the document, and what could not be read as one."""
    found: list[Row] = []
    problems: list[str] = []
    family = 0
    for line in text.splitlines():
        heading = re.match(r"^### (\d+)\. ", line)
        if heading:
            family = int(heading.group(1))
            continue
        match = ROW.match(line)
        if not match:
            continue
        cells = [c.strip() for c in match.group(2).split(" | ")]
        if len(cells) != 5:
            problems.append(f"{match.group(1)}: {len(cells) + 1} cells, not 6")
            continue
        label, priority, applies, verdict, evidence = cells
        found.append(Row(match.group(1), label, priority, applies, verdict, evidence, family))
    return found, problems


def cited(cell: str) -> list[str]:
    """What a cell cites in code spans that names a file, ``file::test_name``, or a test."""
    names = []
    for token in CODE.findall(cell):
        token = token.strip()
        if token.startswith("/"):
            continue  # a URL path on the server (/diagnostic, /static)
        path = token.split("::", 1)[0]
        if PATH_LIKE.match(path) or path in ROOT_FILES or re.fullmatch(r"test_\w+", token):
            names.append(token)
    return names


def _tests_defined(under: Path) -> dict[str, set[str]]:
    """Test function names, by file under ``tests/``."""
    found: dict[str, set[str]] = {}
    for path in under.rglob("*.py"):
        names = set(re.findall(r"^\s*(?:async )?def (test_\w+)\(", path.read_text("utf-8"), re.M))
        found[path.relative_to(ROOT).as_posix()] = names
    return found


def missing(names: list[str], root: Path = ROOT) -> list[str]:
    """The cited names that are not in the repository."""
    tests = _tests_defined(root / "tests")
    everywhere = set().union(*tests.values())
    absent = []
    for name in names:
        if re.fullmatch(r"test_\w+", name):
            if name not in everywhere:
                absent.append(name)
            continue
        path, _, test = name.partition("::")
        if not (root / path).exists() or (test and test not in tests.get(path, set())):
            absent.append(name)
    return absent


def totals_problems(text: str, found: list[Row]) -> list[str]:
    """The printed totals against the rows: all criteria, the prioritaires, the applicable."""
    problems = []
    section = text.split("## Bilan / totals", 1)[-1].split("\n## ", 1)[0]
    table = re.findall(r"^\| ([^|]+?) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$", section, re.M)
    printed = {name.strip(): tuple(int(n) for n in numbers) for name, *numbers in table}
    for name, chosen in (
        ("tous les critères / all criteria", found),
        ("prioritaires", [r for r in found if r.priority == "Prioritaire"]),
    ):
        counts = Counter(r.verdict for r in chosen)
        actual = (*(counts[v] for v in VERDICTS), len(chosen))
        if printed.get(name) != actual:
            problems.append(f"totals « {name} »: printed {printed.get(name)}, rows give {actual}")
    sentence = re.search(
        r"Parmi les (\d+) critères applicables, (\d+) sont remplis\s*; parmi les (\d+) "
        r"prioritaires applicables, (\d+)\.",
        section,
    )
    applicable = [r for r in found if r.verdict != "Non applicable"]
    first = [r for r in applicable if r.priority == "Prioritaire"]
    actual_sentence = (
        len(applicable),
        sum(r.verdict == "Conforme" for r in applicable),
        len(first),
        sum(r.verdict == "Conforme" for r in first),
    )
    if sentence is None or tuple(int(n) for n in sentence.groups()) != actual_sentence:
        got = sentence.groups() if sentence else None
        problems.append(f"applicable totals: printed {got}, rows give {actual_sentence}")
    return problems


def problems(text: str, root: Path = ROOT) -> list[str]:
    """Everything wrong with the document ``text``; empty when it holds."""
    found, unread = rows(text)
    wrong = list(unread)
    ids = [r.id for r in found]
    duplicated = sorted(i for i, n in Counter(ids).items() if n > 1)
    if duplicated:
        wrong.append(f"criteria given twice: {duplicated}")
    absent = [i for i in EXPECTED if i not in ids]
    if absent:
        wrong.append(f"criteria missing: {absent}")
    unknown = [i for i in ids if i not in EXPECTED]
    if unknown:
        wrong.append(f"not criteria of the RGESN 2024: {unknown}")
    if not (duplicated or absent or unknown) and ids != list(EXPECTED):
        wrong.append("criteria out of the referential's order")
    for r in found:
        if r.id in EXPECTED and r.priority != EXPECTED[r.id]:
            said = EXPECTED[r.id]
            wrong.append(f"{r.id}: priority « {r.priority} », the referential says {said}")
        if r.family != int(r.id.split(".")[0]):
            wrong.append(f"{r.id}: under family {r.family}")
        if r.verdict not in VERDICTS:
            wrong.append(f"{r.id}: verdict « {r.verdict} »")
        if r.applies not in APPLIES:
            wrong.append(f"{r.id}: applies « {r.applies} »")
        elif (r.verdict == "Non applicable") != (r.applies in NOT_OURS):
            wrong.append(f"{r.id}: « {r.verdict} » but applies « {r.applies} »")
        if not r.label.strip() or not r.evidence.strip():
            wrong.append(f"{r.id}: no label or no evidence")
        if r.verdict == "Conforme" and not cited(r.evidence):
            wrong.append(f"{r.id}: « Conforme » without a path or test of this repository")
    wrong += [f"cited, not in the repository: {n}" for n in missing(cited(text), root)]
    wrong += totals_problems(text, found)
    return wrong


def test_the_referential_has_78_criteria_30_of_them_prioritaires() -> None:
    assert len(EXPECTED) == 78
    assert Counter(EXPECTED.values())["Prioritaire"] == 30


def test_the_self_assessment_holds() -> None:
    assert problems(DOC.read_text("utf-8")) == []


def test_every_criterion_is_assessed_once() -> None:
    found, _ = rows(DOC.read_text("utf-8"))
    assert [r.id for r in found] == list(EXPECTED)


@pytest.fixture(scope="module")
def text() -> str:
    return DOC.read_text("utf-8")


def _row_line(text: str, criterion: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(f"| {criterion} |"))


def test_a_missing_or_repeated_criterion_is_found(text: str) -> None:
    line = _row_line(text, "4.7")
    assert "criteria missing: ['4.7']" in problems(text.replace(line + "\n", ""))
    assert "criteria given twice: ['4.7']" in problems(text.replace(line, line + "\n" + line))


def test_a_wrong_priority_or_a_path_that_does_not_exist_is_found(text: str) -> None:
    line = _row_line(text, "6.1")
    changed = line.replace("| Recommandé |", "| Modéré |", 1).replace(
        "`docs/footprint.md`", "`docs/footprints.md`", 1
    )
    found = problems(text.replace(line, changed))
    assert "6.1: priority « Modéré », the referential says Recommandé" in found
    assert "cited, not in the repository: docs/footprints.md" in found


def test_a_conforme_without_evidence_or_a_test_that_does_not_exist_is_found(text: str) -> None:
    line = _row_line(text, "4.13")  # Conforme, one path
    bare = re.sub(r"`[^`]+`", "le script", line)
    assert "4.13: « Conforme » without a path or test of this repository" in problems(
        text.replace(line, bare)
    )
    named = line.replace(
        "`src/lanterne/web/static/lanterne.js`",
        "`tests/test_page_weight.py::test_pages_weigh_nothing`",
    )
    assert "cited, not in the repository: tests/test_page_weight.py::test_pages_weigh_nothing" in (
        problems(text.replace(line, named))
    )


def test_totals_that_are_not_the_rows_are_found(text: str) -> None:
    line = _row_line(text, "4.8")  # Conforme → Non conforme: every printed total is now off
    found = problems(text.replace(line, line.replace("| Conforme |", "| Non conforme |", 1)))
    assert any(p.startswith("totals « tous les critères") for p in found)
    assert any(p.startswith("applicable totals") for p in found)


def test_a_host_criterion_cannot_be_conforme_for_lanterne(text: str) -> None:
    line = _row_line(text, "8.3")
    changed = line.replace("| Non applicable |", "| Conforme |", 1)
    assert "8.3: « Conforme » but applies « déploiement »" in problems(text.replace(line, changed))
