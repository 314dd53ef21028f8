"""Publishing benchmark: OAI-PMH records per second harvested by sickle over loopback, from
Lanterne's ``/oai`` and from pyoai's own server (``oaipmh.server``) serving the same works; and
N-Triples dump triples per second, beside rdflib serialising the same works.

    .venv/bin/python benchmarks/publish.py [--works 1000000] [--workdir DIR] [--steps build,oai]

Steps (``--steps``, comma-separated, in this order; each one function below):

``build``
    A catalogue of N works: half resampled from the festivals export, half from the Joconde
    extract (``benchmarks/resample.py``), ingested with ``--workers`` map processes as the ingest
    benchmark does. Kept in ``--workdir`` as ``catalogue-N.sqlite``: a re-run finds it and skips
    the build (not timed as part of any harvest).
``oai``
    Lanterne: ``create_app`` under uvicorn on 127.0.0.1 in a child process; sickle, in another
    child, harvests ``ListRecords`` in ``--prefix`` (oai_dc) to the end of the list.
    Peer: pyoai's ``BatchingServer`` over an ``IBatchingOAI`` object reading the same catalogue
    (the same states, the same works, their Dublin Core from the same crosswalk rows), behind
    ``wsgiref`` on 127.0.0.1 in a child process, same page size, harvested by the same client.
``nt``
    Lanterne: ``lanterne.publish.dump`` of the whole catalogue to N-Triples, in a child process,
    once per ``--nt-outputs`` (``nt`` plain, ``nt.gz`` as ``publish dump -o F.nt.gz`` writes it);
    wall and CPU time (CPU time is the one-core figure on a shared machine), the resident memory
    at every tenth of the works, and the peak. Peer: rdflib, in another child, parsing each of
    the first ``--rdflib-works`` works' published JSON-LD document into one ``Graph`` and
    serialising it with ``format="nt"`` (the documents' own time, Lanterne's crosswalk, is
    reported apart). rdflib's graph is a set across works, Lanterne's dump says a named agent
    again with each work: each side's triples are counted as written. rdflib holds the whole
    graph, so it runs on a sample; its rate is the one measured on the sample, nothing scaled.

Both harvests count the records (they must equal the catalogue's works), time the harvest from
the first request to the last record, and report the server's peak RSS (``VmHWM`` of
``/proc/PID/status``, read before it is stopped) and the client's (its ``ru_maxrss``). Where the
two servers' work differs is said with the figures. Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _energy import HEADER, Energy, Rate
from resample import write_resampled

TARGET = 5_000
"""Records per second harvested by sickle (issue 17)."""
NT_TARGET = 300_000
"""N-Triples dump triples per second (issue 17)."""
KINDS = (
    ("festivals", "festivals-france", "festivals-global-festivals-_-pl.csv"),
    ("joconde", "joconde-costumes", "BaseJoconde-Costumes-19e-20e.csv"),
)
STEPS = ("build", "oai", "nt")


def _peak_rss_mib(pid: int) -> float | None:
    """The peak resident memory of the running process ``pid`` (Linux ``VmHWM``)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        import psutil

        return float(psutil.Process(pid).memory_info().rss) / 2**20  # now, not the peak
    except Exception:
        return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, server: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with code {server.returncode} before serving")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"no server on port {port} after {seconds:.0f} s")


def _child(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--child", *args]


# Step: build ------------------------------------------------------------------------------


def build(works: int, workdir: Path, workers: int, seed: int) -> dict[str, Any]:
    """The catalogue of ``works`` works in ``workdir`` (built unless already there)."""
    from lanterne.catalogue import SqliteCatalogue
    from lanterne.ingest import IngestOptions, ingest, load_mapping_profile

    path = workdir / f"catalogue-{works}.sqlite"
    if path.exists():
        with SqliteCatalogue(path, read_only=True) as db:
            return {"path": str(path), "works": db.count_states(), "seconds": None}
    building = workdir / f"building-{works}.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{building}{suffix}").unlink(missing_ok=True)
    start = time.perf_counter()
    half = works // 2
    with SqliteCatalogue(building) as db:
        for i, ((kind, profile, name), n) in enumerate(
            zip(KINDS, (half, works - half), strict=True)
        ):
            source = write_resampled(kind, n, workdir / kind / name, seed=seed + i)
            summary = ingest(
                db, source, load_mapping_profile(profile), IngestOptions(workers=workers)
            )
            print(f"  {kind}: {summary.created:,} stored of {summary.read:,}", file=sys.stderr)
            source.unlink()
        count = db.count_states()
    building.rename(path)  # closed, checkpointed: the name says it is whole
    return {"path": str(path), "works": count, "seconds": time.perf_counter() - start}


# Step: oai --------------------------------------------------------------------------------


def oai(catalogue: Path, works: int, prefix: str, page: int) -> dict[str, Any]:
    """Lanterne's ``/oai`` and pyoai's server, each harvested to the end by sickle."""
    figures: dict[str, Any] = {}
    sides = ("lanterne", "pyoai") if prefix == "oai_dc" else ("lanterne",)  # pyoai: oai_dc only
    for side in sides:
        print(f"harvesting {side} ({prefix}, pages of {page}) …", file=sys.stderr)
        figures[side] = _harvest_side(side, catalogue, prefix, page)
        got = figures[side]["records"]
        if got != works:
            print(f"WARNING: {side}: {got:,} records harvested, {works:,} works", file=sys.stderr)
    if "pyoai" in figures:
        figures["ratio"] = figures["lanterne"]["records_per_s"] / figures["pyoai"]["records_per_s"]
    return figures


def _harvest_side(side: str, catalogue: Path, prefix: str, page: int) -> dict[str, Any]:
    port = _free_port()
    env = os.environ | {"LANTERNE_OAI_RECORDS_PAGE_MAX": str(page)}
    server = subprocess.Popen(
        _child(f"serve-{side}", str(catalogue), str(port), str(page)), env=env
    )
    try:
        _wait_for(port, server)
        path = "/oai" if side == "lanterne" else "/"
        # The server's process alone (psutil), not the harvesting client (the same for both).
        with Energy(processes=[server.pid], own=False) as serving:
            done = subprocess.run(
                _child("harvest", f"http://127.0.0.1:{port}{path}", prefix),
                capture_output=True,
                text=True,
                check=False,
            )
        if done.returncode != 0:
            sys.stderr.write(done.stdout + done.stderr)
            raise SystemExit(f"{side}: the harvest failed with exit code {done.returncode}")
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        result["server_peak_rss_mib"] = _peak_rss_mib(server.pid)
        serving.operations = result["records"]
        result["server_energy"] = serving.rate().to_dict()
    finally:
        server.terminate()
        server.wait(timeout=30)
    result["records_per_s"] = result["records"] / result["seconds"] if result["seconds"] else 0.0
    return result


def _serve_lanterne(catalogue: Path, port: int) -> None:
    import uvicorn

    from lanterne.web import create_app
    from lanterne.web._site import Site

    app = create_app(Site(catalogue))
    uvicorn.run(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off"
    )


class _PyoaiCatalogue:
    """pyoai's ``IBatchingOAI`` over Lanterne's catalogue: the same states in the same order,
    the same works, their Dublin Core values from the same crosswalk rows, the same setSpecs.

    pyoai's tokens carry an offset (``cursor``); the position each batch ended at is kept so
    that the next batch is a keyed read like Lanterne's, not an ``OFFSET`` scan."""

    def __init__(self, path: Path, base_url: str) -> None:
        from oaipmh import common

        from lanterne.catalogue import SqliteCatalogue
        from lanterne.publish import OaiConfig

        self._db = SqliteCatalogue(path, read_only=True)
        self._config = OaiConfig.from_settings(path.stem)
        self._ends: dict[int, int] = {0: 0}
        self._identify = common.Identify(
            repositoryName=self._config.repository_name,
            baseURL=base_url,
            protocolVersion="2.0",
            adminEmails=[self._config.admin_email],
            earliestDatestamp=dt.datetime(2000, 1, 1),
            deletedRecord="persistent",
            granularity="YYYY-MM-DDThh:mm:ssZ",
            compression=["identity"],
        )

    def identify(self) -> Any:
        return self._identify

    def listMetadataFormats(self, identifier: str | None = None) -> list[tuple[str, str, str]]:
        return [
            (
                "oai_dc",
                "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
                "http://www.openarchives.org/OAI/2.0/oai_dc/",
            )
        ]

    def listRecords(
        self,
        metadataPrefix: str,
        set: str | None = None,
        from_: dt.datetime | None = None,
        until: dt.datetime | None = None,
        cursor: int = 0,
        batch_size: int = 10,
    ) -> list[tuple[Any, Any, None]]:
        from oaipmh import common, error

        from lanterne.publish._crosswalk import FIELDS, Context, rows
        from lanterne.publish._oai import work_sets
        from lanterne.publish._xml import clean

        if metadataPrefix != "oai_dc":
            raise error.CannotDisseminateFormatError(metadataPrefix)
        cursor = int(cursor)
        after = self._ends.get(cursor)
        if after is None:  # a cursor this process did not give: read up to it
            skipped = self._db.work_states(after=0, limit=cursor)
            after = skipped[-1].position if skipped else 0
        states = self._db.work_states(after=after, limit=batch_size)
        works = self._db.get_many([s.id for s in states if not s.deleted])
        ctx = Context(base=self._config.edm.base, link=False)
        out = []
        for state in states:
            work = works.get(state.id)
            stamp = dt.datetime.strptime(state.modified[:19], "%Y-%m-%dT%H:%M:%S")
            header = common.Header(
                None,
                self._config.identifier(state.id),
                stamp,
                work_sets(work, state),
                work is None,
            )
            values: dict[str, list[str]] = {}
            if work is not None:
                for row in rows("oai_dc"):
                    for value in FIELDS[row.field](work, ctx):
                        text = clean(value.text or value.resource or "").strip()
                        if text:
                            values.setdefault(row.element.partition(":")[2], []).append(text)
            out.append((header, common.Metadata(None, values), None))
        # pyoai asks one more than a page to know whether another follows.
        if len(states) > batch_size - 1:
            self._ends[cursor + batch_size - 1] = states[batch_size - 2].position
        return out


def _serve_pyoai(catalogue: Path, port: int, page: int) -> None:
    import cgi
    from urllib.parse import parse_qs
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    # pyoai 2.5 reads its tokens with cgi.parse_qs, which Python 3.8 removed: put back the
    # function it was an alias of, or every second page is a 500.
    if not hasattr(cgi, "parse_qs"):
        cgi.parse_qs = parse_qs  # type: ignore[attr-defined]

    from oaipmh.metadata import MetadataRegistry
    from oaipmh.server import BatchingServer, oai_dc_writer

    registry = MetadataRegistry()
    registry.registerWriter("oai_dc", oai_dc_writer)
    base = f"http://127.0.0.1:{port}/"
    server = BatchingServer(
        _PyoaiCatalogue(catalogue, base), metadata_registry=registry, resumption_batch_size=page
    )

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        body = server.handleRequest({k: v[0] for k, v in query.items()})
        start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8")])
        return [body]

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    with make_server("127.0.0.1", port, app, handler_class=Quiet) as httpd:
        httpd.serve_forever()


def _harvest(url: str, prefix: str) -> dict[str, Any]:
    """sickle's ``ListRecords`` to the end of the list (deleted records counted too)."""
    from sickle import Sickle

    sickle = Sickle(url, max_retries=0, timeout=600)
    # VmHWM, not ru_maxrss: after fork and exec, ru_maxrss still counts the parent's pages.
    baseline = _peak_rss_mib(os.getpid())
    count, first, last = 0, None, None
    start = time.perf_counter()
    for record in sickle.ListRecords(metadataPrefix=prefix, ignore_deleted=False):
        count += 1
        if first is None:
            first = record.header.identifier
        last = record.header.identifier
    seconds = time.perf_counter() - start
    return {
        "records": count,
        "seconds": seconds,
        "first": first,
        "last": last,
        "client_baseline_rss_mib": baseline,
        "client_peak_rss_mib": _peak_rss_mib(os.getpid()),
    }


# Step: nt ---------------------------------------------------------------------------------


def nt(
    catalogue: Path, works: int, workdir: Path, sample: int, outputs: list[str]
) -> dict[str, Any]:
    """Lanterne's N-Triples dump of the whole catalogue (each of ``outputs``: ``nt``, ``nt.gz``)
    and rdflib building one graph of the first ``sample`` works and serialising it, each in a
    child process of its own (its own peak memory)."""
    figures: dict[str, Any] = {"rdflib_sample": min(sample, works)}
    for suffix in outputs:
        out = workdir / f"dump-{works}.{suffix}"
        print(f"Lanterne: dump of {works:,} works to {out.name} …", file=sys.stderr)
        figures[f"lanterne_{suffix}"] = _run_json(_child("dump-nt", str(catalogue), str(out)))
        out.unlink(missing_ok=True)
        Path(f"{out}.void.ttl").unlink(missing_ok=True)
    if sample > 0:
        out = workdir / f"rdflib-{sample}.nt"
        print(f"rdflib: graph of {min(sample, works):,} works, serialised to nt …", file=sys.stderr)
        figures["rdflib"] = _run_json(_child("rdflib-nt", str(catalogue), str(out), str(sample)))
        out.unlink(missing_ok=True)
    return figures


def _run_json(command: list[str]) -> dict[str, Any]:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"{command[3]} failed with exit code {done.returncode}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _rss_mib() -> float:
    """This process's resident memory now (``VmRSS``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _dump_nt(catalogue: Path, out: Path) -> dict[str, Any]:
    """``lanterne.publish.dump`` (what ``lanterne publish dump --format nt`` runs), with the
    resident memory read at every tenth of the works: a streamed dump stays flat."""
    from lanterne.catalogue import SqliteCatalogue
    from lanterne.publish import dump

    with SqliteCatalogue(catalogue, read_only=True) as db:
        total = db.count()
        step = max(1, total // 10)
        memory: list[tuple[int, float]] = []

        def progress(done: int) -> None:
            if done % step == 0:
                memory.append((done, _rss_mib()))

        start, cpu = time.perf_counter(), time.process_time()
        with Energy() as energy:
            summary = dump(db, "nt", out, base="https://lanterne.example/", progress=progress)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        energy.operations = summary.triples
    return {
        "works": summary.works,
        "triples": summary.triples,
        "bytes": out.stat().st_size,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "triples_per_s": summary.triples / seconds,
        "triples_per_cpu_s": summary.triples / cpu,
        "rss_mib_by_works": memory,
        "peak_rss_mib": _peak_rss_mib(os.getpid()),
        "energy": energy.rate().to_dict(),
    }


def _rdflib_nt(catalogue: Path, out: Path, sample: int) -> dict[str, Any]:
    """rdflib's way to the same triples: each work's published JSON-LD document (Lanterne's
    crosswalk, timed apart) parsed into one ``Graph``, then ``serialize(format="nt")``."""
    import itertools
    import warnings

    import rdflib

    from lanterne.catalogue import SqliteCatalogue
    from lanterne.publish import work_document

    warnings.filterwarnings("ignore", category=DeprecationWarning)  # rdflib's own ConjunctiveGraph
    graph = rdflib.Graph()
    # CPU time of each phase (the machine is shared: wall time counts the other processes too).
    documents = parsing = 0.0
    count = 0
    rdflib_side = Energy()  # parsing and serialising, not the documents (Lanterne's crosswalk)
    wall = time.perf_counter()
    with SqliteCatalogue(catalogue, read_only=True) as db:
        for work in itertools.islice(db.iter_works(), sample):
            start = time.process_time()
            text = json.dumps(work_document(work, "https://lanterne.example/"), ensure_ascii=False)
            middle = time.process_time()
            with rdflib_side:
                graph.parse(data=text, format="json-ld")
            documents += middle - start
            parsing += time.process_time() - middle
            count += 1
    start = time.process_time()
    with rdflib_side:
        graph.serialize(destination=str(out), format="nt", encoding="utf-8")
    serialising = time.process_time() - start
    wall = time.perf_counter() - wall
    triples = len(graph)
    rdflib_side.operations = triples
    return {
        "works": count,
        "triples": triples,
        "bytes": out.stat().st_size,
        "seconds": wall,
        "documents_cpu_seconds": documents,
        "parse_cpu_seconds": parsing,
        "serialize_cpu_seconds": serialising,
        "cpu_seconds": parsing + serialising,
        "triples_per_cpu_s": triples / (parsing + serialising),
        "serialize_triples_per_cpu_s": triples / serialising,
        "peak_rss_mib": _peak_rss_mib(os.getpid()),
        "energy": rdflib_side.rate().to_dict(),
    }


# Report -----------------------------------------------------------------------------------


def _print_oai(figures: dict[str, Any]) -> None:
    o = figures["oai"]
    print()
    print(
        f"OAI-PMH harvest — {figures['works']:,} works, ListRecords {figures['prefix']}, "
        f"pages of {figures['page']}, sickle {figures['sickle']} over loopback"
    )
    print(
        f"Python {figures['python']}, {figures['cpu_count']} cores, lanterne "
        f"{figures['lanterne_mode']}, load average before/after "
        f"{figures['load_before']:.1f}/{figures['load_after']:.1f}"
    )
    header = (
        f"{'server':<34}{'records':>11}{'wall s':>9}{'records/s':>11}{'server':>11}{'client':>11}"
        f"{HEADER[0]:>11}{HEADER[1]:>12}"
    )
    print(header)
    print("-" * len(header))
    sides = (("Lanterne /oai (uvicorn)", "lanterne"), ("pyoai BatchingServer (wsgiref)", "pyoai"))
    for title, key in sides:
        if key not in o:
            continue
        r = o[key]
        server_rss = r["server_peak_rss_mib"]
        shown = f"{server_rss:.0f} MiB" if server_rss is not None else "?"
        print(
            f"{title:<34}{r['records']:>11,}{r['seconds']:>9.1f}{r['records_per_s']:>11,.0f}"
            f"{shown:>11}{r['client_peak_rss_mib'] or 0:>7.0f} MiB{_cells(r['server_energy'])}"
        )
    print(
        f"(server, client: peak RSS; {HEADER[0]}, {HEADER[1]}: estimated per 1,000 records, "
        "each server's process read with psutil, the client not counted)"
    )
    if "ratio" in o:
        print(f"Lanterne / pyoai: {o['ratio']:.2f}×")
    met = "met" if o["lanterne"]["records_per_s"] >= TARGET else "NOT met"
    print(f"target ≥ {TARGET:,} records/s harvested by sickle: {met}")


def _print_nt(figures: dict[str, Any]) -> None:
    n = figures["nt"]
    print()
    print(f"N-Triples dump — {figures['works']:,} works")
    print(
        f"Python {figures['python']}, {figures['cpu_count']} cores, lanterne "
        f"{figures['lanterne_mode']}, load average before/after "
        f"{figures['load_before']:.1f}/{figures['load_after']:.1f}"
    )
    header = (
        f"{'writer':<36}{'works':>10}{'triples':>12}{'wall s':>8}{'CPU s':>8}"
        f"{'triples/s':>11}{'/CPU s':>10}{'peak':>9}{HEADER[0]:>11}{HEADER[1]:>12}"
    )
    print(header)
    print("-" * len(header))
    for suffix in ("nt", "nt.gz"):
        r = n.get(f"lanterne_{suffix}")
        if r is None:
            continue
        print(
            f"{'Lanterne dump (.' + suffix + ')':<36}{r['works']:>10,}{r['triples']:>12,}"
            f"{r['seconds']:>8.1f}{r['cpu_seconds']:>8.1f}{r['triples_per_s']:>11,.0f}"
            f"{r['triples_per_cpu_s']:>10,.0f}{r['peak_rss_mib']:>5.0f} MiB{_cells(r['energy'])}"
        )
        shown = ", ".join(f"{w:,}: {m:.0f}" for w, m in r["rss_mib_by_works"])
        print(f"  resident MiB after works {shown}")
    r = n.get("rdflib")
    if r is not None:
        print(
            f"{'rdflib parse JSON-LD + serialize nt':<36}{r['works']:>10,}{r['triples']:>12,}"
            f"{r['seconds']:>8.1f}{r['cpu_seconds']:>8.1f}{'':>11}"
            f"{r['triples_per_cpu_s']:>10,.0f}{r['peak_rss_mib']:>5.0f} MiB{_cells(r['energy'])}"
        )
        print(
            f"  serialize alone {r['serialize_cpu_seconds']:.1f} CPU s "
            f"({r['serialize_triples_per_cpu_s']:,.0f} triples/CPU s); the JSON-LD documents it "
            f"read {r['documents_cpu_seconds']:.1f} CPU s more (wall s: all three)"
        )
    best = max(
        (n[k]["triples_per_cpu_s"] for k in ("lanterne_nt", "lanterne_nt.gz") if k in n),
        default=0.0,
    )
    met = "met" if best >= NT_TARGET else "NOT met"
    print(
        f"{HEADER[0]}, {HEADER[1]}: estimated per 1,000 triples, each writer's child process "
        "(rdflib: parsing and serialising, not the documents)"
    )
    print(f"target ≥ {NT_TARGET:,} triples/s on one core (per CPU second): {met}")


def _cells(energy: dict[str, Any]) -> str:
    wh, co2e = Rate.from_dict(energy).cells()
    return f"{wh:>11}{co2e:>12}"


# Main -------------------------------------------------------------------------------------


def _run_child(args: list[str]) -> int:
    kind = args[0]
    if kind == "serve-lanterne":
        _serve_lanterne(Path(args[1]), int(args[2]))
    elif kind == "serve-pyoai":
        _serve_pyoai(Path(args[1]), int(args[2]), int(args[3]))
    elif kind == "harvest":
        print(json.dumps(_harvest(args[1], args[2])))
    elif kind == "dump-nt":
        print(json.dumps(_dump_nt(Path(args[1]), Path(args[2]))))
    elif kind == "rdflib-nt":
        print(json.dumps(_rdflib_nt(Path(args[1]), Path(args[2]), int(args[3]))))
    return 0


def main(argv: list[str] | None = None) -> int:
    from lanterne.settings import whole

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, help="keep the built catalogue here (reused)")
    parser.add_argument("--steps", default=",".join(STEPS), help=f"of {', '.join(STEPS)}")
    parser.add_argument("--prefix", default="oai_dc", choices=["oai_dc", "edm"])
    parser.add_argument(
        "--page", type=int, default=None, help="records per page (default: Lanterne's setting)"
    )
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="write the figures to this JSON file")
    parser.add_argument(
        "--rdflib-works", type=int, default=20_000, help="works rdflib serialises (nt step)"
    )
    parser.add_argument("--nt-outputs", default="nt,nt.gz", help="dumps written (nt step)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _run_child(args.child)
    steps = [s for s in args.steps.split(",") if s]
    unknown = sorted(set(steps) - set(STEPS))
    if unknown:
        parser.error(f"unknown steps {unknown}; expected some of {list(STEPS)}")
    if args.prefix == "edm" and "oai" in steps:
        print(
            "pyoai's side serves oai_dc only: edm is harvested from Lanterne alone", file=sys.stderr
        )

    import sickle

    from lanterne._accel import compiled_modules

    page = args.page or whole("oai_records_page_max")
    with tempfile.TemporaryDirectory(prefix="lanterne-bench-publish-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        # Loaded before asking: the children import them, and compiled_modules() names only
        # modules already loaded (it said « plain Python » for a compiled run).
        import lanterne.catalogue
        import lanterne.ingest
        import lanterne.publish._ntriples  # noqa: F401

        compiled = compiled_modules()
        figures: dict[str, Any] = {
            "load_before": os.getloadavg()[0],
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
            "lanterne_mode": f"{len(compiled)} modules compiled" if compiled else "plain Python",
            "sickle": getattr(sickle, "__version__", "?"),
            "prefix": args.prefix,
            "page": page,
            "target_records_per_s": TARGET,
        }
        print(f"catalogue of {args.works:,} works in {workdir} …", file=sys.stderr)
        built = build(args.works, workdir, args.workers, args.seed)
        figures["build"] = built
        figures["works"] = built["works"]
        if built["seconds"] is not None:
            print(f"  built in {built['seconds']:.0f} s", file=sys.stderr)
        if "oai" in steps:
            figures["oai"] = oai(Path(built["path"]), built["works"], args.prefix, page)
        if "nt" in steps:
            outputs = [o for o in args.nt_outputs.split(",") if o in ("nt", "nt.gz")]
            figures["target_triples_per_s"] = NT_TARGET
            figures["nt"] = nt(
                Path(built["path"]), built["works"], workdir, args.rdflib_works, outputs
            )
        figures["load_after"] = os.getloadavg()[0]
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", "utf-8")
    if "oai" in figures:
        _print_oai(figures)
    if "nt" in figures:
        _print_nt(figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
