"""The public pages' wording, as a visitor reads it: French typography (sentence case, dates,
numbers, official region names), labels in French and English, nothing said twice, no command
line shown to the public; search results that tell works apart; home goals that say what they
mean."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from lanterne.web import create_app
from web_helpers import Client, demo_site

NNBSP = "\u202f"


@pytest.fixture
def client(demo_catalogue: Path) -> Client:
    return Client(create_app(demo_site(demo_catalogue)))


def _text(page: str) -> str:
    """The page as read: tags dropped, entities decoded, spaces collapsed."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _facts(page: str) -> list[tuple[str, str]]:
    """The (term, definition) pairs of the work page's « Fiche »."""
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", page, re.S)
    return [(_text(t).strip(), _text(d).strip()) for t, d in pairs]


def _work(client: Client, wid: str, lang: str = "fr") -> str:
    answer = client.get(f"/oeuvre/{quote(wid)}", params={"lang": lang})
    assert answer.status_code == 200, wid
    return answer.text


HAT = "joconde:M0964:D 86.2653"  # Denomination_1 « Chapeau À Cheminée », no title
COMB = "joconde:M0512:AD.481 ; 733 (Numéro de collection) ; 189 (Numéro du legs)"  # « Peigne » x2
JAZZ = "festivals-france:FEST_77333_4348"  # Nemours de Jazz, Île-de-France


def test_title_cased_denomination_is_shown_in_french_sentence_case(client: Client) -> None:
    page = _work(client, HAT)
    assert "<h1>Chapeau à cheminée</h1>" in page
    assert "Chapeau À Cheminée" not in page
    search = _text(client.get("/recherche", params={"q": "bouton"}).text)
    assert "Bouton de vêtement" in search and "Bouton De Vêtement" not in search


def test_title_equal_to_its_denomination_is_shown_once(client: Client) -> None:
    page = _work(client, COMB)
    assert "<h1>Peigne</h1>" in page
    assert "Peigne — Peigne" not in _text(page)


def test_territory_is_one_line_from_town_to_region(client: Client) -> None:
    facts = _facts(_work(client, HAT))
    territories = [d for t, d in facts if t == "Territoire"]
    assert territories == ["Bourg-en-Bresse, Ain, Auvergne-Rhône-Alpes"]


def test_identifier_schemes_have_french_and_english_names(client: Client) -> None:
    fr = dict(_facts(_work(client, HAT)))
    assert fr["Numéro d'inventaire"] == "D 86.2653"
    assert fr["Code Muséofile du musée"] == "M0964"
    en = dict(_facts(_work(client, HAT, "en")))
    assert en["Inventory number"] == "D 86.2653"
    assert en["Muséofile museum code"] == "M0964"
    for page in (fr, en):
        assert not any("inventory" in t.lower() and t != "Inventory number" for t in page)


def test_dates_are_written_for_people_not_iso(client: Client) -> None:
    # The festivals' creation year, which spreadsheets wrote « 01/01/1996 00:00 », is a year.
    assert dict(_facts(_work(client, JAZZ)))["Date"] == "1996"
    assert dict(_facts(_work(client, HAT)))["Date"] == "19e siècle"  # the source's wording
    from lanterne.web._labels import Labeller

    assert Labeller("fr", lambda s: s).day("1996-01-01") == "1er janvier 1996"
    assert Labeller("en", lambda s: s).day("1996-01-01") == "January 1, 1996"
    assert Labeller("fr", lambda s: s).day("2026-12-02") == "2 décembre 2026"


def test_moments_are_written_the_french_and_english_way() -> None:
    from lanterne.web._labels import Labeller

    fr = Labeller("fr", lambda s: s)
    en = Labeller("en", lambda s: s)
    assert fr.moment("2026-12-02T14:05:00Z") == "2 décembre 2026 à 14 h 05"
    assert en.moment("2026-12-02T14:05:00Z") == "December 2, 2026 at 2:05\u202fPM"
    assert fr.moment("2026-12-02T00:00:00") == "2 décembre 2026"


def test_regions_go_by_their_official_names(client: Client) -> None:
    page = _text(client.get("/recherche", params={"q": "festival"}).text)
    for official in ("Grand Est", "Provence-Alpes-Côte d'Azur", "Pays de la Loire"):
        assert official in page, official
    for pycountry_spelling in ("Grand-Est", "Provence-Alpes-Côte-d’Azur", "Pays-de-la-Loire"):
        assert pycountry_spelling not in page, pycountry_spelling


def test_missing_work_page_speaks_to_the_public_not_the_command_line(client: Client) -> None:
    for lang, says, home, search in (
        ("fr", "Cette œuvre n'est pas dans le catalogue", "Retour à l'accueil", "Rechercher"),
        ("en", "This work is not in the catalogue", "Back to the home page", "Search"),
    ):
        answer = client.get("/oeuvre/nulle-part", params={"lang": lang})
        assert answer.status_code == 404
        text = _text(answer.text)
        assert says in text and "lanterne" not in text.split("Lanterne")[0].lower()
        assert "lanterne stats" not in text and "« lanterne" not in text
        assert '<a href="/">' in answer.text and '<a href="/recherche">' in answer.text
        assert home in text and search in text
    # The API keeps the operator's message.
    api = client.get("/api/works/nulle-part")
    assert api.status_code == 404 and "lanterne stats" in api.text


def test_sentence_case_lowers_title_case_but_keeps_acronyms_and_letters() -> None:
    from lanterne.ingest._mapper import sentence_case

    assert sentence_case("Pendant D'oreille À Pendeloques (paire)") == (
        "Pendant d'oreille à pendeloques (paire)"
    )
    assert (
        sentence_case("Bonnet D'enfant (patron B, Type 2)") == "Bonnet d'enfant (patron B, type 2)"
    )
    assert sentence_case("LA MODE ILLUSTRÉE") == "LA MODE ILLUSTRÉE"
    assert sentence_case("XIXe Siècle") == "XIXe siècle"


def _hit(page: str, title: str) -> str:
    """The search result whose heading is ``title``, as read."""
    for item in re.findall(r'<li class="hit[^"]*">(.*?)</div>\s*</li>', page, re.S):
        if re.search(r"<h3><a [^>]*>" + re.escape(html.escape(title)) + "</a></h3>", item):
            return _text(item).strip()
    raise AssertionError(f"no hit « {title} »")


def test_search_results_tell_works_apart_in_french(client: Client) -> None:
    page = client.get("/recherche", params={"q": "jazz"}).text
    hit = _hit(page, "Nemours de Jazz")
    assert hit == (
        "Nemours de Jazz Genre d'œuvre\u00a0: Festival Date\u00a0: 1996 "
        "Lieu\u00a0: Nemours, Île-de-France "
        "Source de la notice\u00a0: Cartographie nationale des festivals"
    )
    # The labels are for screen readers; the eye reads « Festival · 1996 · … ».
    assert """<span class="visually-hidden">Genre d'œuvre\u00a0: </span>Festival""" in page


def test_search_results_tell_works_apart_in_english(client: Client) -> None:
    page = client.get("/recherche", params={"q": "peigne", "lang": "en"}).text
    hit = _hit(page, "Peigne")
    assert hit.startswith(
        "Peigne Kind of work: Work or object Date: 1867 Place: Nancy, Grand Est "
        "Source of the record: Joconde, French museum collections"
    ), hit


def test_home_goals_are_public_service_goals_with_readable_labels(client: Client) -> None:
    fr = client.get("/").text
    goals = re.search(r'<ul class="goals">(.*?)</ul>', fr, re.S)
    assert goals
    assert re.findall(r"<li>(.*?)</li>", goals.group(1)) == [
        "Œuvres de Bretagne : au moins 1",
        "Œuvres de Corse : au moins 1",
        "Œuvres de Guadeloupe : au moins 1",
    ]
    assert "Genre d&#39;œuvre : Festival" not in fr and "≥ 40" not in fr
    en = client.get("/", params={"lang": "en"}).text
    assert "<li>Works from Bretagne: at least 1</li>" in en


def test_goal_labels_elide_and_take_articles_the_french_way() -> None:
    from lanterne.recommend import parse_goal
    from lanterne.web._labels import Labeller

    fr = Labeller("fr", lambda s: s)
    assert fr.goal_target(parse_goal("eof=true:0.4")) == (
        "Œuvres d'expression originale française ≥ 40\u202f%"
    )
    assert fr.goal("territory=FR-OCC") == "Œuvres d'Occitanie"
    assert fr.goal("territory=FR-GES") == "Œuvres du Grand Est"
    assert fr.goal("territory=FR-HDF") == "Œuvres des Hauts-de-France"


def test_home_says_the_shared_explanation_once_not_on_every_card(client: Client) -> None:
    page = client.get("/").text
    assert page.count("choisies pour varier") == 1
    assert page.count('class="card"') == 12
    assert "Choisie pour varier" not in page


def test_work_page_keeps_other_fields_apart_from_similar_works(client: Client) -> None:
    page = _work(client, JAZZ)
    close = re.search(r'<section aria-labelledby="proches">(.*?)</section>', page, re.S)
    assert close
    # « Œuvres proches » of a festival are festivals; no comb is « close to » a jazz festival.
    kinds = re.findall(r'<p class="kind">(.*?)</p>', close.group(1))
    assert kinds and set(kinds) == {"Festival"}, kinds
    other = re.search(r'<section aria-labelledby="ailleurs">(.*?)</section>', page, re.S)
    if other:
        assert "Découvrir un autre domaine" in other.group(1)
        assert "Festival" not in re.findall(r'<p class="kind">(.*?)</p>', other.group(1))


def test_cross_field_pick_on_home_is_labelled_as_another_field(client: Client) -> None:
    page = client.get("/", params=[("aime", JAZZ), ("curiosite", "1")]).text
    cards = re.findall(r'<li class="card">(.*?)</li>\s*(?=<li class="card">|</ol>)', page, re.S)
    assert len(cards) == 12
    other_fields = 0
    for card in cards:
        kind = re.search(r'<p class="kind">([^<·]*)', card)
        assert kind
        if kind.group(1).strip() != "Festival":
            # A museum object is never said to be « close to » a jazz festival.
            assert "Proche de" not in card, card
            other_fields += "Découvrir un autre domaine" in card
    assert other_fields >= 1  # the dial at 1 does reach into another field, and says so


def test_diagnosis_page_writes_numbers_and_dates_for_people(client: Client) -> None:
    fr = _text(client.get("/diagnostic").text)
    assert re.search(r"Score moyen \d+(,\d)? / 100", fr), fr[:600]
    assert not re.search(r"Score moyen \d+\.\d", fr)
    assert re.search(r"établi le \d{1,2}(er)? \w+ \d{4} à \d{1,2} h \d{2} \(UTC\)", fr)
    assert not re.search(r"\d{4}-\d{2}-\d{2}T", fr)
    assert "Éligibles au résultat enrichi Event" in fr and "Éligibles Event" not in fr
    assert re.search(r"Palier Europeana B ou C \d+,\d\u202f%", fr)
    en = _text(client.get("/diagnostic", params={"lang": "en"}).text)
    assert re.search(r"Europeana tier B or C \d+\.\d%", en)
    assert re.search(r"generated on \w+ \d{1,2}, \d{4} at \d{1,2}:\d{2}\u202f[AP]M \(UTC\)", en)


def test_home_quotes_titles_the_way_each_language_does(client: Client) -> None:
    fr = client.get("/", params=[("aime", JAZZ), ("curiosite", "0")]).text
    assert "Proche de «\u00a0Nemours de Jazz\u00a0»" in fr
    en = client.get("/", params=[("aime", JAZZ), ("curiosite", "0"), ("lang", "en")]).text
    assert "“Nemours de Jazz”" in en and "« Nemours" not in en


def test_numbers_are_grouped_the_french_way() -> None:
    from lanterne.web._pages import _number, _percent

    assert _number(32540, "fr") == "32\u202f540" and _number(32540, "en") == "32,540"
    assert _percent(0.995, "fr") == "100\u202f%" and _percent(0.3, "en") == "30%"


def test_search_result_with_an_image_shows_a_thumbnail_with_alt_text(
    demo_catalogue: Path, tmp_path: Path
) -> None:
    import shutil

    from web_helpers import TOKEN

    shutil.copy(demo_catalogue, tmp_path / "demo.sqlite")
    shutil.copytree(Path(f"{demo_catalogue}.search"), tmp_path / "demo.sqlite.search")
    client = Client(create_app(demo_site(tmp_path / "demo.sqlite")))
    books = Path(__file__).resolve().parents[2] / "shared" / "data" / "goodbooks-10k-books"
    lines = (books / "books.csv").read_text("utf-8").splitlines()[:2]
    files = {"file": ("books.csv", ("\n".join(lines) + "\n").encode("utf-8"), "text/csv")}
    answer = client.post(
        "/api/ingest",
        files=files,
        data={"profile": "goodbooks-10k-books"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.status_code == 200 and answer.json()["created"] == 1, answer.text
    title = client.get("/api/search", params={"q": "Hunger Games"}).json()["hits"][0]["title"]
    page = client.get("/recherche", params={"q": "Hunger Games"}).text
    item = re.search(r'<li class="hit with-image">(.*?)</li>', page, re.S)
    assert item, page[-3000:]
    img = re.search(r'<img class="thumb" src="([^"]+)" alt="([^"]*)"', item.group(1))
    assert img and img.group(1).startswith("https://") and html.unescape(img.group(2)) == title
    assert "Livre" in _text(item.group(1))


def test_a_filter_chip_puts_the_colon_as_each_language_does(client: Client) -> None:
    # The English page wrote « Region or province : Bretagne », with the French space.
    params = {"q": "musique", "filtre": "territory:FR-BRE"}
    fr = _text(client.get("/recherche", params={**params, "lang": "fr"}).text)
    en = _text(client.get("/recherche", params={**params, "lang": "en"}).text)
    assert "Région ou province\u00a0: Bretagne" in fr
    assert "Region or province: Bretagne" in en and "province : " not in en
