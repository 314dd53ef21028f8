"""The observatory's verdicts and joins: unknown is no data, ids join the catalogue (or the
report says they do not), per-persona compliance, and reports in one language each."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from helpers import lanterne
from lanterne.audit import AuditConfig, Quotas, Weighting, read_captures, run_audit
from lanterne.audit._render import render_html
from lanterne.report import NNBSP, number, pct

UNIFORM = AuditConfig(weighting=Weighting(kind="uniform"), resamples=0)


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _bare(tmp_path: Path, items: list[str], sessions: int = 1) -> Path:
    """Two personas' home lists of ``items``, one list per session, no attributes at all."""
    rows = ["platform,surface,persona,session,timestamp,position,item"]
    for p in ("p1", "p2"):
        for s in range(sessions):
            rows += [
                f"vod,home,{p},{p}s{s},2026-01-0{s + 1}T10:00,{n + 1},{item}"
                for n, item in enumerate(items)
            ]
    return _write(tmp_path / "bare.csv", rows)


def test_unknown_attribute_is_no_data_never_not_met(tmp_path: Path) -> None:
    report = run_audit(read_captures([_bare(tmp_path, ["194", "195"], sessions=3)]), UNIFORM)
    home = {v.rule: v for v in report.verdicts}["home-european-or-eof"]
    assert home.verdict == "no data" and home.value is None
    shares = {s.group: s for s in report.shares["all"]}
    assert shares["european=true"].exposure is None  # not an interval [0, 0]
    assert shares["european=true"].known == 0.0
    assert report.by_position["european=true"] == [None, None]  # a gap, not a line at 0 %
    assert "european-or-eof=true" not in {d.metric for d in report.drift}
    text = " ".join(report.summary["fr"])
    assert "non respecté" not in text and "0,0 %" not in text
    assert "données insuffisantes" in text
    assert "not met" not in " ".join(report.summary["en"])
    page = render_html(report, "fr")
    # The chart says it in its legend (no line drawn); no verdict cell reads « not met ».
    assert f"œuvres européennes{NNBSP}: données insuffisantes" in page
    assert 'class="not"' not in page


def test_rule_groups_are_read_whatever_groups_the_report_shows(tmp_path: Path) -> None:
    # The demo audits show type=… groups only: the home rule still reads the European flag.
    # Uniform weights, one list: f1 European, f2 neither European nor EOF: 1 of 2 = 50 %.
    path = _write(
        tmp_path / "t.csv",
        [
            "platform,surface,persona,session,timestamp,position,item,attr:european,attr:eof,attr:type",
            "vod,home,p1,s1,t1,1,f1,true,,Festival",
            "vod,home,p1,s1,t1,2,f2,false,false,Festival",
        ],
    )
    config = AuditConfig(
        weighting=Weighting(kind="uniform"), resamples=0, groups=("type=Festival",)
    )
    report = run_audit(read_captures([path]), config)
    home = {v.rule: v for v in report.verdicts}["home-european-or-eof"]
    assert home.value is not None and home.value.value == pytest.approx(0.5)
    assert home.verdict == "met" and home.known == pytest.approx(1.0)


def test_unknown_slots_make_a_verdict_uncertain_not_a_no(tmp_path: Path) -> None:
    # e1 European, u1 unknown: 50 % counted out, 100 % counted in; against 60 %: uncertain.
    path = _write(
        tmp_path / "u.csv",
        [
            "platform,surface,persona,session,timestamp,position,item,attr:european",
            "vod,home,p1,s1,t1,1,e1,true",
            "vod,home,p1,s1,t1,2,u1,",
        ],
    )
    config = AuditConfig(weighting=Weighting(kind="uniform"), resamples=0, quotas=Quotas(home=0.6))
    report = run_audit(read_captures([path]), config)
    home = {v.rule: v for v in report.verdicts}["home-european-or-eof"]
    assert home.value is not None and home.value.value == pytest.approx(0.5)
    assert home.upper is not None and home.upper.value == pytest.approx(1.0)
    assert home.verdict == "uncertain"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    done = lanterne(folder, "demo", "--no-serve")
    assert done.returncode == 0, done.stderr
    return folder


def _source_ids(folder: Path, source: str, n: int) -> list[str]:
    from lanterne.catalogue import open_catalogue

    with open_catalogue(folder / "c.sqlite") as catalogue:
        ids = sorted(catalogue.source_ids(source))[:n]
    return [i.split(":", 1)[1] if i.startswith(f"{source}:") else i for i in ids]


def _joined_fixture(demo: Path, tmp_path: Path) -> tuple[Path, list[str]]:
    festivals = _source_ids(demo, "festivals-france", 2)
    joconde = sorted(_full_ids(demo, "joconde"))[:1]
    # Uniform weights, one list of 4 per persona: two raw festival ids (European), one full
    # Joconde id (European unknown), one id of no work.
    return _bare(tmp_path, [*festivals, *joconde, "nope"]), festivals


def _full_ids(folder: Path, source: str) -> set[str]:
    from lanterne.catalogue import open_catalogue

    with open_catalogue(folder / "c.sqlite") as catalogue:
        return {w.id for w in catalogue.iter_works(source)}


def test_ids_that_miss_the_catalogue_are_said_and_judge_nothing(demo: Path, tmp_path: Path) -> None:
    path, festivals = _joined_fixture(demo, tmp_path)
    done = lanterne(demo, "audit", str(path), "--format", "json", "--resamples", "0")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    # Only the full Joconde id is a work of the catalogue: 1 of 4.
    assert report["join"]["items"] == 4 and report["join"]["found"] == 1
    assert report["join"]["example"] == festivals[0]
    assert "not met" not in {v["verdict"] for v in report["verdicts"]}
    home = {v["rule"]: v for v in report["verdicts"]}["home-european-or-eof"]
    assert home["verdict"] == "no data"
    text = lanterne(demo, "audit", str(path), "--resamples", "0").stdout
    assert "Une seule des 4 œuvres des captures est dans le catalogue Lanterne" in text
    assert "--source" in text


def test_source_joins_raw_ids_and_gives_the_exact_shares(demo: Path, tmp_path: Path) -> None:
    path, _ = _joined_fixture(demo, tmp_path)
    done = lanterne(
        demo, "audit", str(path), "--source", "festivals-france", "--format", "json",
        "--resamples", "0", "--weighting", "uniform", "--home-threshold", "0.6",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["join"] == {
        "items": 4, "found": 3, "source": "festivals-france", "example": "nope",
        "platform_items": None, "platform_found": None,
    }  # fmt: skip
    shares = {s["group"]: s for s in report["shares"]["home"]}
    # European: the two festivals of 4 slots = 50 % (known for those 2 of 4 = 50 %).
    assert shares["european=true"]["exposure"]["value"] == pytest.approx(0.5)
    assert shares["european=true"]["known"] == pytest.approx(0.5)
    assert shares["european=true"]["upper"]["value"] == pytest.approx(1.0)
    home = {v["rule"]: v for v in report["verdicts"]}["home-european-or-eof"]
    assert home["verdict"] == "uncertain"  # 50 % known yes, up to 100 %: not a "not met"
    assert report["parameters"]["source"] == "festivals-france"


def test_platform_catalogue_of_bare_ids_takes_the_catalogue_attributes(
    demo: Path, tmp_path: Path
) -> None:
    path, _ = _joined_fixture(demo, tmp_path)
    festivals = _source_ids(demo, "festivals-france", 4)
    joconde = sorted(_full_ids(demo, "joconde"))[:1]
    offer = _write(tmp_path / "offer.txt", [*festivals, *joconde, "nope"])
    done = lanterne(
        demo, "audit", str(path), "--source", "festivals-france", "--platform-catalogue",
        str(offer), "--format", "json", "--resamples", "0",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    # 6 ids: 4 festivals (European), 1 Joconde work (unknown), 1 of no work.
    assert report["join"]["platform_items"] == 6 and report["join"]["platform_found"] == 5
    shares = {s["group"]: s for s in report["shares"]["all"]}
    assert shares["european=true"]["catalogue"] == pytest.approx(1.0)  # 4 of the 4 known
    verdicts = {v["rule"]: v for v in report["verdicts"]}
    assert verdicts["catalogue-european"]["verdict"] == "met"
    assert verdicts["catalogue-european"]["known"] == pytest.approx(4 / 6)
    assert verdicts["catalogue-eof"]["verdict"] == "no data"  # no EOF flag anywhere


def _compliance_fixture(tmp_path: Path) -> Path:
    # Uniform weights, home lists of two: p1 EU, EU → 100 %; p2 EU, non-EU → 50 %; p3 non-EU,
    # non-EU → 0 %; p4 two works of unknown flags → no data. Threshold 50 %: p1 and p2 meet it,
    # p3 does not. Quantiles of (0, 0.5, 1): 0, 25 %, 50 %, 75 %, 100 %.
    rows = ["platform,surface,persona,session,timestamp,position,item,attr:european,attr:eof"]
    lists = {"p1": ["e1", "e2"], "p2": ["e1", "n1"], "p3": ["n1", "n2"], "p4": ["u1", "u2"]}
    flags = {"e": "true,false", "n": "false,false", "u": ","}
    for persona, items in lists.items():
        for day in (1, 2):
            for pos, item in enumerate(items, start=1):
                rows.append(
                    f"vod,home,{persona},{persona}s{day},2026-01-0{day}T10:00,{pos},{item},"
                    + flags[item[0]]
                )
    return _write(tmp_path / "personas.csv", rows)


def test_per_persona_compliance_counts_and_distribution(tmp_path: Path) -> None:
    path = _compliance_fixture(tmp_path)
    report = run_audit(read_captures([path]), UNIFORM)
    (c,) = report.compliance
    assert (c.personas, c.met, c.not_met, c.undetermined, c.no_data) == (4, 2, 1, 0, 1)
    assert c.quantiles == pytest.approx([0.0, 0.25, 0.5, 0.75, 1.0])
    assert c.histogram == [1, 0, 0, 0, 0, 1, 0, 0, 0, 1]
    done = lanterne(tmp_path, "audit", str(path), "--format", "json", "--weighting", "uniform")
    assert json.loads(done.stdout)["compliance"][0]["met"] == 2
    text = lanterne(tmp_path, "audit", str(path), "--weighting", "uniform").stdout
    assert "sur 4 profils, 2 respectent le seuil, 1 non, 1 sans données" in text
    assert "médiane 50,0\u202f%" in text
    english = lanterne(tmp_path, "--lang", "en", "audit", str(path), "--weighting", "uniform")
    assert "of 4 personas, 2 meet the threshold, 1 do not, 1 with no data" in english.stdout
    page = render_html(report, "fr")
    assert "Profil par profil" in page and "médiane" in page


class _Text(HTMLParser):
    """The words a reader sees: text nodes (SVG labels included), not markup or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in ("style", "script", "metadata"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "metadata"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _visible(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return " ".join(parser.parts)


ENGLISH = "not met|no data|Shares| all|unknown|slots|threshold|personas|share|weighted|Summary"
ENGLISH += "|controls|equality|Parameters|rule"
FRENCH = "non respecté|données insuffisantes|Parts|toutes|inconnu|emplacements|seuil|profils"
FRENCH += "|pondér|En bref|témoins|égalité|Paramètres|règle"
RAW_KEYS = "eof=true|european=true|european-or-eof|catalogue-european|catalogue-eof"
RAW_KEYS += '|home-european-or-eof|=true|"weighting"|genre-entropy'


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_report_speaks_one_language_without_raw_keys(tmp_path: Path, lang: str) -> None:
    path = _compliance_fixture(tmp_path)
    report = run_audit(read_captures([path]), AuditConfig(resamples=50))
    text = _visible(render_html(report, lang))
    cli = lanterne(tmp_path, "--lang", lang, "audit", str(path), "--resamples", "50").stdout
    assert cli.strip()
    foreign = (ENGLISH if lang == "fr" else FRENCH).split("|")
    for shown in (text, cli):
        for word in foreign:
            assert word not in shown, (lang, word)
        for key in RAW_KEYS.split("|"):
            assert key not in shown, (lang, key)
        if lang == "fr":
            # No decimal point in a figure ("0.5"), and a narrow no-break space before "%".
            assert not re.search(r"\d\.\d", shown), re.findall(r".{20}\d\.\d.{10}", shown)
            assert not re.search(r"\d %|\d%", shown)
        else:
            assert not re.search(r"\d,\d(?!\d\d)", shown)
    # Sessions are whole: the drift chart's ticks are 1 and 2, never 1.5.
    svg = render_html(report, lang)
    assert not re.search(r">\s*1[.,]5\s*<", svg)


def test_numbers_as_each_language_writes_them() -> None:
    assert number(32540, "fr") == f"32{NNBSP}540" and number(32540, "en") == "32,540"
    assert pct(0.995, "fr") == f"99,5{NNBSP}%" and pct(0.995, "en") == "99.5%"
    # A share short of the whole never reads 100 %, a share above nothing never reads 0 %.
    assert pct(4801 / 4803, "fr") == f"99,96{NNBSP}%"
    assert pct(1 / 100_000, "en") == "0.001%"
    assert pct(1.0, "fr") == f"100,0{NNBSP}%" and pct(0.0, "en") == "0.0%"
    assert pct(None, "fr") == "—"


SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


@pytest.fixture(scope="module")
def films_and_books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A catalogue of MovieLens films 1–20 and goodbooks books 1–10: raw ids 1–10 are both."""
    if not (SHARED / "movielens-latest-small").is_dir():
        pytest.skip("../shared/data is absent (the MovieLens and goodbooks slices come from it)")
    from lanterne.catalogue import open_catalogue
    from lanterne.ingest import ingest, load_mapping_profile

    folder = tmp_path_factory.mktemp("films-books")
    data = folder / "data"
    films, books = data / "movielens-latest-small", data / "goodbooks-10k-books"
    films.mkdir(parents=True)
    books.mkdir()
    (data / "movielens-latest-small-wikidata").symlink_to(
        (SHARED / "movielens-latest-small-wikidata").resolve()
    )
    for name in ("movies.csv", "links.csv"):
        lines = (SHARED / "movielens-latest-small" / name).read_text("utf-8").splitlines()
        (films / name).write_text("\n".join(lines[:21]) + "\n", "utf-8")
    lines = (SHARED / "goodbooks-10k-books" / "books.csv").read_text("utf-8").splitlines()
    (books / "books.csv").write_text("\n".join(lines[:11]) + "\n", "utf-8")
    with open_catalogue(folder / "c.sqlite") as catalogue:
        ingest(catalogue, films, load_mapping_profile("movielens-latest-small"))
        ingest(catalogue, books, load_mapping_profile("goodbooks-10k-books"))
        assert (catalogue.count("movielens"), catalogue.count("goodbooks")) == (20, 10)
    return folder


def test_gaps_match_raw_ids_within_one_source_not_every_source(
    films_and_books: Path, tmp_path: Path
) -> None:
    folder = films_and_books
    films = _write(tmp_path / "films.txt", [str(i) for i in range(1, 21)])
    # Film ids 1–20 are also book ids 1–10: which source they are is not guessed.
    ambiguous = lanterne(folder, "--lang", "en", "gaps", "--platform", f"vod={films}")
    assert ambiguous.returncode == 4 and "Traceback" not in ambiguous.stderr
    assert "movielens 20, goodbooks 10" in ambiguous.stderr and "--source" in ambiguous.stderr
    done = lanterne(folder, "gaps", "--platform", f"vod={films}", "--source", "movielens", "--json")
    gaps = json.loads(done.stdout)
    assert (gaps["works"], gaps["available"], gaps["missing"]) == (20, 20, 0)
    assert gaps["platform_sources"] == {"vod": "movielens"}
    # Ids 11–20 are films only: the source is inferred, said, and no book is marked offered.
    only = _write(tmp_path / "only.txt", [str(i) for i in range(11, 21)])
    done = lanterne(folder, "gaps", "--platform", f"vod={only}", "--json")
    gaps = json.loads(done.stdout)
    assert (gaps["works"], gaps["available"], gaps["missing"]) == (30, 10, 20)
    assert gaps["by_platform"] == {"vod": 10} and gaps["missing_by_type"]["Book"] == 10
    assert gaps["platform_inferred"] == {"vod": True}
    text = lanterne(folder, "gaps", "--platform", f"vod={only}").stdout
    assert f"20 / 30 (66,7{NNBSP}%)" in text
    assert "source « movielens », déduite des identifiants" in text
    unknown = lanterne(folder, "gaps", "--source", "nope")
    assert unknown.returncode == 4 and "movielens" in unknown.stderr


def test_gaps_territories_in_one_form_and_no_false_hundred(demo: Path) -> None:
    done = lanterne(demo, "gaps", "--json")
    gaps = json.loads(done.stdout)
    territories = gaps["missing_by_territory"]
    assert "FR-GES Grand Est" in territories
    pattern = r"[A-Z]{2}-[A-Z0-9]{1,3} \S.*|\(\?\)"  # a code and its name, or none at all
    assert all(re.fullmatch(pattern, k) for k in territories), territories
    # 644 of 644: the whole, so 100 %; any share short of it is written with enough decimals.
    text = lanterne(demo, "gaps").stdout
    assert f"644 / 644 (100,0{NNBSP}%)" in text


def test_reports_with_gaps_or_only_controls_read_back(tmp_path: Path) -> None:
    import msgspec

    from lanterne.audit import Report

    # No attribute at all (shares None), and every persona a control (no treated trend): the
    # JSON the web interface publishes must decode again, so no NaN may hide in it.
    rows = ["platform,surface,persona,session,timestamp,position,item,group,attr:european"]
    for p in ("c1", "c2"):
        for day in (1, 2):
            rows.append(f"vod,home,{p},{p}{day},2026-01-0{day}T10:00,1,w{day},control,true")
            rows.append(f"vod,home,{p},{p}{day},2026-01-0{day}T10:00,2,x{day},control,")
    for path in (_bare(tmp_path, ["a", "b"], sessions=2), _write(tmp_path / "c.csv", rows)):
        report = run_audit(read_captures([path]), AuditConfig(resamples=20, permutations=20))
        again = msgspec.json.decode(msgspec.json.encode(report), type=Report)
        assert again.verdicts == report.verdicts
