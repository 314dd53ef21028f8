"""Replay of the seed corpus and of every crash found: each file once through its target.

The corpus (``corpus/<target>/``) holds the known attack shapes and every input a fuzzer found
that broke an invariant; replaying it is the regression test of those finds.
"""

from __future__ import annotations

from pathlib import Path

import _targets
import pytest
from _targets import TARGETS

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(
    (folder.name, path)
    for folder in CORPUS.iterdir()
    if folder.is_dir()
    for path in folder.iterdir()
    if path.is_file()
)


def test_every_target_has_a_corpus() -> None:
    assert {name for name, _ in CASES} == set(TARGETS)


@pytest.mark.parametrize(("name", "path"), CASES, ids=[f"{n}/{p.name}" for n, p in CASES])
def test_corpus_input_keeps_the_invariants(name: str, path: Path) -> None:
    TARGETS[name](path.read_bytes())


@pytest.mark.parametrize("name", ["ingest_csv", "ingest_json", "ingest_jsonl", "ingest_jsonld"])
def test_good_seed_is_stored(name: str) -> None:
    """A harness whose profile or setup is wrong would fuzz nothing but the error it raises."""
    (good,) = (CORPUS / name).glob("good.*")
    TARGETS[name](good.read_bytes())
    assert _targets.LAST_SUMMARY is not None and _targets.LAST_SUMMARY.stored >= 1


def test_first_error_message_of_a_process_stays_within_the_budget() -> None:
    """In a fresh process the first error message reads the English catalogue (a fixed cost,
    whatever the input); CI ran the corpus in such a process and every rejected header went
    over its budget for it."""
    import subprocess
    import sys

    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from pathlib import Path; from _targets import TARGETS;"
        "TARGETS['csv'](Path(sys.argv[2]).read_bytes())"
    )
    seed = CORPUS / "csv" / "no-header.csv"
    done = subprocess.run(
        [sys.executable, "-c", script, str(Path(__file__).parent), str(seed)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
