"""Coverage-guided fuzzing (atheris, libFuzzer) of the targets in ``_targets``.

    python tests/fuzz/run.py --seconds 60 csv json      # some targets, 60 s each
    python tests/fuzz/run.py --seconds 60 --all         # every target (``make fuzz``)

Each target runs in its own process, seeded from ``corpus/<target>/``; what it learns goes to
``build/fuzz/corpus/<target>/`` and what breaks an invariant to ``build/fuzz/crashes/<target>/``.
A crash found becomes a regression test by copying it into ``corpus/<target>/`` (replayed by
``test_fuzz_corpus.py`` in ``make test``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BUILD = ROOT / "build" / "fuzz"

# What each target imports, loaded under atheris's instrumentation so coverage guides the search.
MODULES = [
    "lanterne.ingest._readers",
    "lanterne.ingest._blocks",
    "lanterne.ingest._encoding",
    "lanterne.ingest._pipeline",
    "lanterne.ingest._mapper",
    "lanterne.ingest._transform",
    "lanterne.ingest._mapping_profile",
    "lanterne.profile.schemaorg._graph",
    "lanterne.profile.schemaorg._read",
    "lanterne.settings",
    "lanterne.search._engine",
    "lanterne.audit._capture",
]


def fuzz_one(name: str, seconds: int) -> None:
    """In this process: run libFuzzer on one target for ``seconds`` (exits when done)."""
    import importlib

    import atheris

    with atheris.instrument_imports(include=["lanterne"]):
        for module in MODULES:
            importlib.import_module(module)
    sys.path.insert(0, str(HERE))
    import _targets
    from _targets import TARGETS

    _targets.COLLECT = False
    work = BUILD / "corpus" / name
    crashes = BUILD / "crashes" / name
    seeds = BUILD / "seeds" / name
    for folder in (work, crashes, seeds):
        folder.mkdir(parents=True, exist_ok=True)
    # Seeds that still crash (known defects awaiting their fix) would stop libFuzzer at once:
    # it starts from those that pass, and says which it left out.
    for old in seeds.iterdir():
        old.unlink()
    for seed in sorted((HERE / "corpus" / name).iterdir()):
        try:
            TARGETS[name](seed.read_bytes())
        except BaseException as exc:  # any failure: the seed is left out
            print(f"seed {name}/{seed.name} still fails ({type(exc).__name__}): left out")
            continue
        (seeds / seed.name).write_bytes(seed.read_bytes())
    args = [
        sys.argv[0],
        f"-max_total_time={seconds}",
        "-timeout=30",
        "-rss_limit_mb=4096",
        "-max_len=4096",
        f"-artifact_prefix={crashes}/",
        str(work),
        str(seeds),
    ]
    atheris.Setup(args, TARGETS[name])
    atheris.Fuzz()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("targets", nargs="*")
    parser.add_argument("--all", action="store_true", help="every target")
    parser.add_argument("--seconds", type=int, default=60, help="per target")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        fuzz_one(args.one, args.seconds)
        return 0
    sys.path.insert(0, str(HERE))
    from _targets import TARGETS

    names = sorted(TARGETS) if args.all or not args.targets else args.targets
    unknown = sorted(set(names) - set(TARGETS))
    if unknown:
        parser.error(f"unknown targets {unknown}; known: {sorted(TARGETS)}")
    failed: list[str] = []
    for name in names:
        crashes = BUILD / "crashes" / name
        logs = BUILD / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        before = set(crashes.iterdir()) if crashes.is_dir() else set()
        started = time.monotonic()
        kinds: dict[str, int] = {}
        runs = 0
        # libFuzzer stops at the first crash: start it again, on the corpus it has grown, until
        # the target's time is spent (or it keeps crashing at once).
        while (left := args.seconds - (time.monotonic() - started)) >= 3 and runs < 20:
            runs += 1
            with (logs / f"{name}.log").open("a") as log:
                done = subprocess.run(
                    [sys.executable, __file__, "--one", name, "--seconds", str(int(left))],
                    check=False,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            if done.returncode == 0:
                break
            text = (logs / f"{name}.log").read_text("utf-8", errors="replace").splitlines()
            marks = [i for i, line in enumerate(text) if "Uncaught Python exception" in line]
            kind = text[marks[-1] + 1] if marks else f"exit {done.returncode}"
            kinds[kind] = kinds.get(kind, 0) + 1
        took = time.monotonic() - started
        found = sorted(set(crashes.iterdir()) - before) if crashes.is_dir() else []
        status = f"{len(found)} crash(es) written" if found else "no crash"
        print(f"fuzz {name}: {took:.0f} s in {runs} run(s), {status}", flush=True)
        for kind, count in kinds.items():
            print(f"    {count} × {kind[:200]}", flush=True)
        for path in found:
            print(f"    {path}", flush=True)
        if found:
            failed.append(name)
    if failed:
        print(f"crashes in {failed}: see {BUILD / 'crashes'}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
