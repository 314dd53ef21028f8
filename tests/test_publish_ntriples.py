"""The N-Triples dump's one-pass writer (``WorkLines``) against the reference it replaced: the
triples of the published JSON-LD document (``TripleWriter`` over ``work_document``), line for
line, on every work of the five ../shared/data catalogues and on generated works; and its
literals as rdflib's N-Triples parser reads them (the W3C escaping rules).
"""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import pytest
import rdflib
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rdflib.compare import isomorphic

from lanterne.catalogue import SqliteCatalogue
from lanterne.profile import (
    Agent,
    Contribution,
    Identifier,
    Role,
    Work,
    WorkType,
)
from lanterne.publish import FORMATS, TripleWriter, agent_uri, work_document, work_uri
from lanterne.publish._ntriples import WorkLines, quoted
from lanterne.publish._triples import canonical_double, literal, ntriples
from test_crosswalk import rich_work, works
from test_publish import BASE, CATALOGUES, Real, graph_of_document, work

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


def reference(w: Work, prefix: str, base: str = BASE) -> list[str]:
    """The lines the dump wrote before ``WorkLines``: the published document's triples."""
    return list(ntriples(TripleWriter().triples(work_document(w, base), prefix)))


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Real:
    if not SHARED.is_dir():
        pytest.skip(f"real datasets not found at {SHARED} (../shared/data)")
    return Real(tmp_path_factory.mktemp("real"))


@pytest.mark.parametrize("name", CATALOGUES)
def test_every_works_lines_are_those_of_its_published_document(real: Real, name: str) -> None:
    lines = WorkLines(BASE)
    with SqliteCatalogue(real[name]) as db:
        checked = 0
        for i, w in enumerate(db.iter_works(), start=1):
            assert lines.lines(w, str(i)) == reference(w, str(i)), w.id
            checked += 1
    assert checked > 0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(works(), st.sampled_from([BASE, "https://lanterne.example/base/", "http://x.test"]))
def test_generated_works_give_the_lines_of_their_published_document(w: Work, base: str) -> None:
    assert WorkLines(base).lines(w, "7") == reference(w, "7", base)


@pytest.mark.parametrize("work_type", [WorkType.MOVIE, WorkType.EVENT, WorkType.BOOK])
def test_a_rich_work_gives_the_graph_rdflib_reads_from_its_json_ld(work_type: WorkType) -> None:
    w = rich_work(work_type)
    text = "".join(WorkLines(BASE).lines(w, "1"))
    assert text == "".join(reference(w, "1"))
    parsed = rdflib.Graph().parse(data=text, format="nt")
    own = graph_of_document(work_document(w, BASE))
    assert isomorphic(_lower_tags(parsed), _lower_tags(own))


def _lower_tags(graph: rdflib.Graph) -> rdflib.Graph:
    """The graph with its language tags in lower case, as Lanterne writes them: rdflib's literals
    compare tags without case (BCP 47) but ``isomorphic`` hashes them as written (``fr-CA``)."""
    out = rdflib.Graph()
    for s, p, o in graph:
        if isinstance(o, rdflib.Literal) and o.language:
            o = rdflib.Literal(str(o), lang=o.language.lower())
        out.add((s, p, o))
    return out


def test_an_agent_named_twice_is_said_once() -> None:
    # One person directing and acting, known by an ISNI: one named node, linked twice.
    isni = Identifier(scheme="isni", value="0000000121478925")  # type: ignore[arg-type]
    agent = Agent(name="Xavier Dolan", identifiers=[isni])
    w = work(
        "2",
        contributors=[
            Contribution(agent=agent, role=Role.DIRECTOR),
            Contribution(agent=agent, role=Role.ACTOR),
        ],
    )
    found = WorkLines(BASE).lines(w, "3")
    assert found == reference(w, "3")
    named = "<" + agent_uri(BASE, "isni:0000000121478925") + ">"
    assert sum(1 for line in found if line.startswith(named + " <http://schema.org/name> ")) == 1
    links = [line for line in found if line.endswith(" " + named + " .\n")]
    assert [line.split(" ")[1] for line in links] == [
        "<http://schema.org/director>",
        "<http://schema.org/actor>",
    ]


def test_the_dump_writer_numbers_blank_nodes_per_work_and_counts_distinct_lines() -> None:
    writer = FORMATS["nt"].writer(BASE)
    first, second = work("1"), work("2", title="Autre")
    text, count = writer.work(first)
    assert text == "".join(reference(first, "1")) and count == len(reference(first, "1"))
    text, count = writer.work(second)
    assert text == "".join(reference(second, "2"))
    assert "_:b2n1 " in text and "_:b1n" not in text
    assert text.splitlines()[0].startswith("<" + work_uri(BASE, "src:2") + "> ")


@given(st.text(st.characters(exclude_categories=["Cs"]), max_size=40))
def test_a_quoted_literal_is_written_as_literal_writes_it_and_rdflib_reads_it_back(
    text: str,
) -> None:
    written = quoted(text)
    assert written == literal(text)
    # N-Triples escapes " \ LF CR (ECHAR); anything else may be written as UTF-8 itself.
    body = written[1:-1]
    assert "\n" not in body and "\r" not in body
    graph = rdflib.Graph().parse(
        data=f"<http://example.org/s> <http://example.org/p> {written} .\n", format="nt"
    )
    assert list(graph.objects()) == [rdflib.Literal(text)]


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ('dit "non"', '"dit \\"non\\""'),
        ("a\\b", '"a\\\\b"'),
        ("l1\nl2\r\n", '"l1\\nl2\\r\\n"'),
        ("tab\there", '"tab\\there"'),
        ("bell\x07 and \x7f", '"bell\\u0007 and \\u007F"'),
        ('both " and \x01', '"both \\" and \\u0001"'),
        ("Où l'été — 東京", '"Où l\'été — 東京"'),
    ],
)
def test_escaping_by_hand(text: str, written: str) -> None:
    assert quoted(text) == written


def _decimal_canonical(value: float) -> str:
    """The canonical form as the former writer computed it, through ``Decimal``."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    assert isinstance(exponent, int)
    shown = "".join(map(str, digits))
    power = 0 if shown == "0" else len(shown) - 1 + exponent
    return ("-" if sign else "") + shown[0] + "." + (shown[1:] or "0") + "E" + str(power)


@given(st.floats())
@example(0.0)
@example(-0.0)
@example(5e-324)
@example(1e21)
@example(-20.9329708192)
def test_the_canonical_double_is_the_one_decimal_gives(value: float) -> None:
    assert canonical_double(value) == _decimal_canonical(value)


@pytest.mark.parametrize(
    ("value", "written"),
    [(45.5, "4.55E1"), (1e-4, "1.0E-4"), (-0.0, "-0.0E0"), (1.5e22, "1.5E22"), (0.125, "1.25E-1")],
)
def test_canonical_doubles_by_hand(value: float, written: str) -> None:
    assert canonical_double(value) == written
