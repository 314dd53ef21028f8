"""Settings, declared once as data with their help text; ``load`` reads them.

Every ``LANTERNE_`` variable is a ``Setting`` of ``SETTINGS``: its name, kind, default, lower
bound and help in French and English. Precedence: the command line's value, else the
environment, else the declared default (an empty variable counts as unset). Nothing is read at
import time: ``Settings.load()``, ``WebLimits.load()`` and ``CaptureLimits.load()`` read the
environment when called, all through ``load_into``. The settings table of docs/cli.md is
generated from the declarations (``scripts/settings_doc.py``; a test checks it).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar

import msgspec

from lanterne.messages import Lang

Kind = Literal["text", "path", "location", "whole", "switch"]
"""``text`` as given; ``path`` a file or folder (``None`` when empty and no default);
``location`` a file, or a server's URL (``postgresql://…``) kept as text (a path would fold its
``//``); ``whole`` a whole number of at least ``minimum`` (underscores allowed: ``20_000``);
``switch`` ``0`` (off) or ``1`` (on)."""


class Setting(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    """The name in the code and on the command line; the variable is ``LANTERNE_`` + NAME."""
    kind: Kind
    default: str
    help_fr: str
    help_en: str
    option: str = ""
    """The command-line option that takes precedence over the variable, if any."""
    minimum: int = 1
    """The least value of a ``whole`` setting."""
    internal: bool = False
    """Set by ``lanterne serve --workers`` for its own processes, never by a person."""

    @property
    def env(self) -> str:
        return "LANTERNE_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting(
        name="catalogue",
        kind="location",
        default="var/catalogue.sqlite",
        option="--catalogue",
        help_fr="Fichier SQLite du catalogue (créé s'il n'existe pas), ou URL d'une base "
        "PostgreSQL (`postgresql://utilisateur@hôte:5432/base`, docs/postgresql.md).",
        help_en="SQLite file of the catalogue (created if missing), or the URL of a PostgreSQL "
        "database (`postgresql://user@host:5432/db`, docs/postgresql.md).",
    ),
    Setting(
        name="lang",
        kind="text",
        default="",
        option="--lang",
        help_fr="Langue des messages : fr ou en (vide : la locale, sinon le français).",
        help_en="Language of messages: fr or en (empty: the locale, else French).",
    ),
    Setting(
        name="log_dir",
        kind="path",
        default="var/log",
        help_fr="Dossier où écrire le détail d'une erreur interne (jamais affiché à l'écran).",
        help_en="Folder where the details of an internal error are written (never shown).",
    ),
    Setting(
        name="chromium",
        kind="text",
        default="",
        help_fr="Navigateur qui imprime les rapports PDF (vide : `chromium` du `PATH`).",
        help_en="Browser that prints PDF reports (empty: `chromium` on the `PATH`).",
    ),
    Setting(
        name="token",
        kind="text",
        default="",
        help_fr="Jeton des écritures de l'API (`POST /api/ingest`, `PUT /api/settings`) ; "
        "vide : écritures désactivées. Jamais journalisé.",
        help_en="Token for the API's writes (`POST /api/ingest`, `PUT /api/settings`); "
        "empty: writes switched off. Never logged.",
    ),
    Setting(
        name="audits",
        kind="path",
        default="",
        option="serve --audits",
        help_fr="Dossier des rapports d'audit (JSON) que le serveur publie (vide : "
        "`CATALOGUE.audits/`, à côté du catalogue).",
        help_en="Folder of the audit reports (JSON) the server publishes (empty: "
        "`CATALOGUE.audits/`, beside the catalogue).",
    ),
    Setting(
        name="pure_python",
        kind="text",
        default="",
        help_fr="`1` : ignorer la version compilée (mypyc) et tout exécuter en Python ; lu au "
        "chargement de Lanterne, qui en dépend.",
        help_en="`1`: ignore the compiled build (mypyc) and run everything as Python; read when "
        "Lanterne loads, which depends on it.",
    ),
    # publishing -----------------------------------------------------------------------------
    Setting(
        name="base_uri",
        kind="text",
        default="http://localhost:8000/",
        help_fr="URI de base des entités publiées (œuvres, agents, lieux)",
        help_en="Base URI of published entities (works, agents, places)",
    ),
    Setting(
        name="edm_provider",
        kind="text",
        default="",
        option="publish check --provider",
        help_fr="`edm:provider` des notices EDM : l'organisation qui les livre à Europeana (vide : "
        "le fournisseur des données de chaque notice, `provenance.attribution`).",
        help_en="`edm:provider` of EDM records: the organisation delivering them to Europeana "
        "(empty: each record's data provider, `provenance.attribution`).",
    ),
    Setting(
        name="edm_rights",
        kind="text",
        default="",
        option="publish check --rights",
        help_fr="Déclaration de droits (une URI acceptée par Europeana, p. ex. "
        "`http://rightsstatements.org/vocab/CNE/1.0/`) des œuvres dont la notice n'en donne "
        "aucune ; vide : ces œuvres sont laissées hors d'EDM, avec leur raison.",
        help_en="Rights statement (a URI Europeana accepts, e.g. "
        "`http://rightsstatements.org/vocab/CNE/1.0/`) of works whose record gives none; empty: "
        "those works are left out of EDM, with their reason.",
    ),
    Setting(
        name="standards",
        kind="path",
        default="",
        option="publish check --standards",
        help_fr="Dossier des fichiers des standards (XSD EDM et Schematron d'Europeana, XSD "
        "oai_dc), non livrés avec Lanterne ; vide : `../shared/standards` à côté des sources.",
        help_en="Folder of the standards' files (Europeana's EDM XSD and Schematron, the oai_dc "
        "XSD), not shipped with Lanterne; empty: `../shared/standards` beside the source.",
    ),
    Setting(
        name="oai_repository_name",
        kind="text",
        default="",
        help_fr="`repositoryName` de l'entrepôt OAI-PMH (`/oai`) ; vide : « Lanterne » et le nom "
        "du fichier du catalogue.",
        help_en="`repositoryName` of the OAI-PMH repository (`/oai`); empty: « Lanterne » and the "
        "catalogue file's name.",
    ),
    Setting(
        name="oai_admin_email",
        kind="text",
        default="",
        help_fr="`adminEmail` de l'entrepôt OAI-PMH, l'adresse que les moissonneurs écrivent ; "
        "vide : `webmaster@` suivi de l'identifiant de l'entrepôt (à remplacer en production).",
        help_en="`adminEmail` of the OAI-PMH repository, the address harvesters write to; empty: "
        "`webmaster@` and the repository identifier (to be replaced in production).",
    ),
    Setting(
        name="oai_repository_id",
        kind="text",
        default="",
        help_fr="Identifiant de l'entrepôt dans les identifiants OAI (`oai:ID:œuvre`), un nom de "
        "domaine ; vide : l'hôte de `LANTERNE_BASE_URI` s'il en est un, sinon "
        "`lanterne.localhost`. Le changer change l'identifiant de chaque notice.",
        help_en="Repository identifier in the OAI identifiers (`oai:ID:work`), a domain name; "
        "empty: the host of `LANTERNE_BASE_URI` when it is one, else `lanterne.localhost`. "
        "Changing it changes every record's identifier.",
    ),
    Setting(
        name="oai_records_page_max",
        kind="whole",
        default="100",
        help_fr="Notices par page de `ListRecords` (OAI-PMH) ; la suite vient par "
        "`resumptionToken`.",
        help_en="Records per page of `ListRecords` (OAI-PMH); the rest comes by `resumptionToken`.",
    ),
    Setting(
        name="oai_identifiers_page_max",
        kind="whole",
        default="500",
        help_fr="En-têtes par page de `ListIdentifiers` (OAI-PMH).",
        help_en="Headers per page of `ListIdentifiers` (OAI-PMH).",
    ),
    Setting(
        name="oai_secret",
        kind="text",
        default="",
        help_fr="Clé qui signe les `resumptionToken` OAI-PMH (HMAC) ; vide : une clé fixe, qui "
        "détecte un jeton abîmé ou modifié mais pas un jeton forgé. Jamais journalisée.",
        help_en="Key signing the OAI-PMH `resumptionToken`s (HMAC); empty: a fixed key, which "
        "catches a damaged or altered token but not a forged one. Never logged.",
    ),
    # search ---------------------------------------------------------------------------------
    Setting(
        name="search_query_max",
        kind="whole",
        default="500",
        help_fr="Caractères lus d'une requête de recherche (`lanterne search`, `/api/search`, la "
        "page de recherche) ; la suite est ignorée.",
        help_en="Characters of a search query that are read (`lanterne search`, `/api/search`, "
        "the search page); the rest is ignored.",
    ),
    Setting(
        name="search_frugal",
        kind="switch",
        default="0",
        help_fr="`1` : chemin sobre — une recherche hybride ne consulte le modèle d'embeddings "
        "que si le côté lexical hésite (son meilleur score moins de 20 % au-dessus du deuxième) ; "
        "nDCG@10 à 0,003–0,008 de l'hybride, 28 à 62 % des requêtes sans le modèle "
        "(docs/search.md, « Chemin sobre »).",
        help_en="`1`: frugal path — a hybrid search consults the embedding model only when the "
        "lexical side is unsure (its best score less than 20 % above its second); nDCG@10 within "
        "0.003–0.008 of hybrid, 28 to 62 % of queries without the model (docs/search.md).",
    ),
    Setting(
        name="encoder_idle",
        kind="whole",
        default="600",
        minimum=0,
        help_fr="Secondes pendant lesquelles le modèle d'embeddings reste chargé entre deux "
        "`lanterne search` (un petit processus de l'utilisateur, arrêté de lui-même ensuite) ; "
        "0 : jamais, chaque recherche charge le modèle.",
        help_en="Seconds the embedding model stays loaded between two `lanterne search` (a small "
        "process of the user's, which then leaves by itself); 0: never, each search loads the "
        "model.",
    ),
    # reconciliation --------------------------------------------------------------------------
    Setting(
        name="reconcile_batch_max",
        kind="whole",
        default="100",
        help_fr="Requêtes au plus dans un lot de réconciliation (`/reconcile`, 0.2 et 1.0-draft) ; "
        "au-delà : 413. OpenRefine en envoie 10 par lot.",
        help_en="Most queries in one reconciliation batch (`/reconcile`, 0.2 and 1.0-draft); "
        "beyond: 413. OpenRefine sends 10 per batch.",
    ),
    # JSON-LD reading (area: jsonld) ------------------------------------------------------
    Setting(
        name="jsonld_max_depth",
        kind="whole",
        default="32",
        help_fr="Imbrication maximale (objets et listes) d'une notice JSON-LD une fois ses liens "
        "`@id` résolus ; au-delà, la notice va en quarantaine (`graphe JSON-LD trop profond`). "
        "Les exports réels imbriquent sur 4.",
        help_en="Deepest nesting (objects and lists) of a JSON-LD record once its `@id` links are "
        "resolved; deeper records are quarantined. Real exports nest 4 deep.",
    ),
    Setting(
        name="jsonld_max_nodes",
        kind="whole",
        default="10000",
        help_fr="Nombre maximal d'objets et de listes d'une notice JSON-LD une fois ses liens "
        "`@id` résolus (un nœud partagé compte à chaque lien) ; au-delà, quarantaine (`graphe "
        "JSON-LD trop grand`). Les exports réels en comptent au plus 15.",
        help_en="Most objects and lists in a JSON-LD record once its `@id` links are resolved (a "
        "shared node counts at each link); larger records are quarantined. Real exports hold at "
        "most 15.",
    ),
    # Web (area « web »): bounds of what one HTTP request may send (docs/web.md).
    Setting(
        name="upload_max",
        kind="whole",
        default=str(200 * 1024 * 1024),
        help_fr="Octets au plus (200 Mio) du corps d'un import par l'API (`POST /api/ingest`) ; "
        "au-delà : 413, compté pendant la réception (docs/web.md).",
        help_en="Most bytes (200 MiB) of an import's body through the API (`POST /api/ingest`); "
        "beyond: 413, counted while it streams in (docs/web.md).",
    ),
    Setting(
        name="body_max",
        kind="whole",
        default=str(1024 * 1024),
        help_fr="Octets au plus (1 Mio) du corps de toute autre requête (réglages, formulaires) ; "
        "au-delà : 413.",
        help_en="Most bytes (1 MiB) of the body of any other request (settings, forms); "
        "beyond: 413.",
    ),
    Setting(
        name="upload_files_max",
        kind="whole",
        default="20",
        help_fr="Fichiers au plus dans un import par l'API (le fichier et ses compagnons).",
        help_en="Most files in one import through the API (the file and its companions).",
    ),
    Setting(
        name="upload_name_max",
        kind="whole",
        default="200",
        help_fr="Caractères au plus du nom d'un fichier importé par l'API (et 255 octets).",
        help_en="Most characters of the name of a file imported through the API (and 255 bytes).",
    ),
    # Audit captures and simulator (area "audit"): bounds of one capture row (docs/audit.md).
    Setting(
        name="audit_max_position",
        kind="whole",
        default="10000",
        help_fr="Position, rangée et colonne les plus hautes d'une ligne de capture (`lanterne "
        "audit`) ; au-delà, la ligne est écartée. Borne aussi la longueur d'une liste. Un accueil "
        "réel en montre moins de 2 000 (40 rangées de 40) (docs/audit.md).",
        help_en="Highest position, row and column of a capture row (`lanterne audit`); beyond, "
        "the row is rejected. Also bounds a list's length. A real home screen shows under 2,000 "
        "(40 rows of 40) (docs/audit.md).",
    ),
    # Ingest readers (area "readers"): what one record may cost to read.
    Setting(
        name="max_json_depth",
        kind="whole",
        default="64",
        help_fr="Imbrication maximale (tableaux et objets, `{}` compte 1) d'une notice JSON, JSON "
        "Lines ou JSON-LD ; une notice plus profonde part en quarantaine (`reason.too_deep`), les "
        "autres sont lues. Les exports réels et le JSON-LD schema.org restent sous 20 niveaux ; "
        "64 laisse de la marge tout en gardant le code qui parcourt une notice (expansion "
        "JSON-LD, correspondance) loin de la limite de récursion de Python.",
        help_en="Deepest nesting (arrays and objects, `{}` counts 1) of a JSON, JSON Lines or "
        "JSON-LD record; a deeper record is quarantined (`reason.too_deep`) and the others are "
        "read. Real exports and schema.org JSON-LD stay under 20 levels; 64 leaves room while "
        "keeping the code that walks a record far from Python's recursion limit.",
    ),
    Setting(
        name="max_record_bytes",
        kind="whole",
        default=str(64 * 1024 * 1024),
        help_fr="Octets au plus (64 Mio) d'une notice : un enregistrement CSV (toutes ses "
        "lignes), une ligne CSV ou JSON Lines, un élément d'un tableau JSON (en caractères : le "
        "fichier JSON est lu en entier). Au-delà, la notice part en quarantaine "
        "(`reason.too_large`) avec ses 64 premiers Kio, et une ligne trop longue n'est jamais "
        "gardée entière en mémoire (ni par le processus qui lit, ni par ceux qui font la "
        "correspondance). Un champ CSV de 200 Mo demandait 1,4 Go de mémoire et en gardait "
        "200 Mo en quarantaine.",
        help_en="Most bytes (64 MiB) of one record: a CSV record (all its lines), a CSV or JSON "
        "Lines line, an item of a JSON array (in characters: a JSON file is read whole). A larger "
        "one is quarantined (`reason.too_large`) with its first 64 KiB, and a line too long is "
        "never held whole in memory (by the reading process or the mapping ones).",
    ),
    # Footprint (issue 22): the grid whose carbon intensity turns energy into CO₂e.
    Setting(
        name="footprint_grid",
        kind="text",
        default="FR",
        help_fr="Réseau électrique dont l'intensité carbone convertit l'énergie estimée d'une "
        "commande ou d'une requête en CO₂e : un code ISO 3166 (`FR`, `BE`, `CH`, `LU`, `CA`, "
        "`CA-QC`, `CA-NB`, `SN`, `CI`, `MA`, `TN`, `HT`), chacun avec sa source et son année "
        "(docs/footprint.md).",
        help_en="Electricity grid whose carbon intensity turns the estimated energy of a command "
        "or request into CO₂e: an ISO 3166 code (`FR`, `BE`, `CH`, `LU`, `CA`, `CA-QC`, `CA-NB`, "
        "`SN`, `CI`, `MA`, `TN`, `HT`), each with its source and year (docs/footprint.md).",
    ),
    # provenance -----------------------------------------------------------------------------
    Setting(
        name="provenance_image_max",
        kind="whole",
        default=str(50 * 1024 * 1024),
        help_fr="Octets au plus (50 Mio) d'une image dont on vérifie le manifeste C2PA ; au-delà, "
        "le résultat est « trop grande », sans lecture.",
        help_en="Most bytes (50 MiB) of an image whose C2PA manifest is verified; beyond, the "
        "result is « too large », unread.",
    ),
    Setting(
        name="c2pa_trust",
        kind="path",
        default="",
        option="provenance verify --trust",
        help_fr="Ancres de confiance C2PA : un fichier JSON de réglages c2pa (`trust.trust_anchors`"
        " …) ou un fichier PEM de certificats racines ; vide : aucune, une signature saine est "
        "au mieux « Valid ».",
        help_en="C2PA trust anchors: a c2pa settings JSON file (`trust.trust_anchors` …) or a PEM "
        "file of root certificates; empty: none, a sound signature is « Valid » at best.",
    ),
    # harvesting ---------------------------------------------------------------------------
    Setting(
        name="harvest_requests_max",
        kind="whole",
        default="10000",
        help_fr="Requêtes HTTP au plus d'une moisson OAI-PMH (`lanterne harvest`), nouvelles "
        "tentatives comprises ; au-delà elle s'arrête après sa dernière page validée, et la "
        "relancer reprend là.",
        help_en="Most HTTP requests of one OAI-PMH harvest (`lanterne harvest`), retries "
        "included; beyond, it stops after its last committed page, and running it again resumes "
        "there.",
    ),
    Setting(
        name="harvest_seconds_max",
        kind="whole",
        default="3600",
        help_fr="Durée au plus (secondes) d'une moisson OAI-PMH ; au-delà elle s'arrête de même.",
        help_en="Longest duration (seconds) of one OAI-PMH harvest; beyond, it stops likewise.",
    ),
    Setting(
        name="harvest_retries_max",
        kind="whole",
        default="5",
        minimum=0,
        help_fr="Nouvelles tentatives d'une requête OAI-PMH après une erreur réseau ou une réponse "
        "503, 429, 500, 502 ou 504 : après le `Retry-After` du serveur, sinon après 1 s, 2 s, "
        "4 s…",
        help_en="Retries of an OAI-PMH request after a network error or a 503, 429, 500, 502 or "
        "504 answer: after the server's `Retry-After`, else after 1 s, 2 s, 4 s…",
    ),
    Setting(
        name="harvest_timeout_max",
        kind="whole",
        default="60",
        help_fr="Délai (secondes) de connexion et de lecture d'une requête OAI-PMH.",
        help_en="Connect and read timeout (seconds) of one OAI-PMH request.",
    ),
    # Set by ``lanterne serve --workers N`` for its own processes.
    Setting(
        name="worker_secret",
        kind="text",
        default="",
        internal=True,
        help_fr="Le secret CSRF que les processus de `serve --workers N` partagent (en "
        "hexadécimal), pour qu'un formulaire servi par l'un soit accepté par un autre.",
        help_en="The CSRF secret the processes of `serve --workers N` share (in hexadecimal), so "
        "that a form served by one is accepted by another.",
    ),
    Setting(
        name="worker_lang",
        kind="text",
        default="",
        internal=True,
        help_fr="La langue des messages des processus de `serve --workers N` (`fr` ou `en`).",
        help_en="The language of messages of the processes of `serve --workers N` (`fr` or `en`).",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}
_WHOLE = re.compile(r"\+?[0-9]+")
_DIGITS = 18
"""More digits than this is beyond any bound (and is never converted: a million digits would
cost seconds)."""


def setting(name: str) -> Setting:
    """The declaration of the setting ``name``."""
    return _BY_NAME[name]


def _given(declared: Setting, given: str | None) -> str:
    """The command line's value if given, else the environment's (empty counts as unset)."""
    return given if given else os.environ.get(declared.env, "")


def text(name: str, given: str | None = None) -> str:
    """The ``text`` setting ``name``: given, else environment, else its default."""
    declared = setting(name)
    return _given(declared, given) or declared.default


def switch(name: str, given: str | None = None) -> bool:
    """The ``switch`` setting ``name``: ``1`` on, ``0`` off; anything else is a usage error
    naming the variable (never read as « off » in silence)."""
    declared = setting(name)
    value = _given(declared, given)
    digit = value.strip() or declared.default
    if digit in ("0", "1"):
        return digit == "1"
    from lanterne.errors import BadSetting

    raise BadSetting("setting.not_a_switch", name=declared.env, value=value)


def path(name: str, given: str | None = None) -> Path | None:
    """The ``path`` setting ``name``; ``None`` when neither given, set nor defaulted."""
    value = text(name, given)
    return Path(value) if value else None


def location(name: str, given: str | None = None) -> Path | str | None:
    """The ``location`` setting ``name``: a server's URL as text, else a path."""
    value = text(name, given)
    if value.startswith(("postgresql://", "postgres://")):
        return value
    return Path(value) if value else None


def whole(name: str, given: str | None = None) -> int:
    """The ``whole`` setting ``name``, at least its ``minimum``; anything else is a usage error
    naming the variable, never replaced in silence by the default."""
    declared = setting(name)
    value = _given(declared, given)
    digits = value.strip().replace("_", "") or declared.default
    if _WHOLE.fullmatch(digits) and len(digits) <= _DIGITS and int(digits) >= declared.minimum:
        return int(digits)
    from lanterne.errors import BadSetting

    raise BadSetting(
        "setting.not_positive", name=declared.env, value=value, minimum=declared.minimum
    )


def interface_language(explicit: str | None = None) -> Lang:
    """The language to speak to a person: ``--lang``, then ``LANTERNE_LANG``, then the locale;
    French by default. (Not the language of a text: that is ``diagnose.detect_language``.)"""
    for candidate in (
        explicit,
        text("lang"),
        os.environ.get("LC_ALL"),
        os.environ.get("LC_MESSAGES"),
        os.environ.get("LANG"),
    ):
        if candidate:
            return "en" if candidate.lower().startswith("en") else "fr"
    return "fr"


def _read(name: str, given: object) -> object:
    if given is not None and not isinstance(given, str):
        return given  # already a value (``WebLimits.load(upload_max=…)``)
    kind = setting(name).kind
    if kind == "whole":
        return whole(name, given)
    if kind == "path":
        return path(name, given)
    if kind == "location":
        return location(name, given)
    if kind == "switch":
        return switch(name, given)
    return text(name, given)


S = TypeVar("S", bound=msgspec.Struct)


def load_into(cls: type[S], given: Mapping[str, object], prefix: str = "") -> S:
    """``cls`` with each field read as the setting ``prefix`` + field: the value in ``given``
    (a command-line option), else the environment, else the declared default."""
    values: dict[str, Any] = {
        field: _read(prefix + field, given.get(field)) for field in cls.__struct_fields__
    }
    return cls(**values)


class HarvestLimits(msgspec.Struct, frozen=True, kw_only=True):
    """What one OAI-PMH harvest may cost (the settings ``harvest_*_max``)."""

    requests_max: int = int(setting("harvest_requests_max").default)
    seconds_max: int = int(setting("harvest_seconds_max").default)
    retries_max: int = int(setting("harvest_retries_max").default)
    timeout_max: int = int(setting("harvest_timeout_max").default)
    backoff_ms: int = 1000
    """The first wait before a retry when the server gives no ``Retry-After`` (doubled at each
    attempt); not a setting, a test makes it short."""

    @classmethod
    def load(cls) -> HarvestLimits:
        """The limits the environment gives, else the declared defaults."""
        return cls(
            requests_max=whole("harvest_requests_max"),
            seconds_max=whole("harvest_seconds_max"),
            retries_max=whole("harvest_retries_max"),
            timeout_max=whole("harvest_timeout_max"),
        )


class Settings(msgspec.Struct, kw_only=True):
    """The general settings (each field a declared setting of the same name)."""

    catalogue: Path | str
    """A SQLite file, or a PostgreSQL database's URL (text)."""
    lang: str
    log_dir: Path
    chromium: str
    token: str
    audits: Path | None
    """``None``: beside the catalogue (``catalogue.sqlite.audits/``; for a server's catalogue,
    under ``var/``)."""
    pure_python: str
    search_query_max: int
    """Characters of a search query that are read (the rest is ignored; cost bounded)."""
    search_frugal: bool
    """The frugal path of hybrid search (``SearchConfig.frugal``)."""
    jsonld_max_depth: int
    jsonld_max_nodes: int
    max_json_depth: int
    max_record_bytes: int

    @property
    def audits_folder(self) -> Path:
        from lanterne._location import beside

        return self.audits or beside(self.catalogue, ".audits")

    def __repr__(self) -> str:
        # The token must not reach a log or a traceback through a repr.
        from lanterne._location import without_password

        shown = "***" if self.token else ""
        where = without_password(str(self.catalogue))
        return f"Settings(catalogue={where}, lang={self.lang!r}, token={shown!r})"

    @classmethod
    def load(cls, **given: str | None) -> Settings:
        """Command-line value if given, else environment, else the declared default."""
        return load_into(cls, given)


# Web (area « web ») ---------------------------------------------------------------------------


class WebLimits(msgspec.Struct, kw_only=True, frozen=True):
    """What one HTTP request may send (the settings ``upload_max`` … ``upload_name_max``, and
    the queries of one reconciliation batch)."""

    upload_max: int
    body_max: int
    upload_files_max: int
    upload_name_max: int
    reconcile_batch_max: int

    @classmethod
    def load(cls, **given: int) -> WebLimits:
        """Given value, else environment, else the declared default."""
        return load_into(cls, given)


class ProvenanceSettings(msgspec.Struct, kw_only=True, frozen=True):
    """What verifying an image reads: its size bound and the C2PA trust anchors' file."""

    provenance_image_max: int
    c2pa_trust: Path | None

    @classmethod
    def load(cls, **given: str | None) -> ProvenanceSettings:
        """Given value, else environment, else the declared default."""
        return load_into(cls, given)


def docs_table() -> str:
    """The table of every setting in docs/cli.md (``scripts/settings_doc.py`` writes it there)."""
    lines = [
        "| option | variable | défaut / default | rôle | role |",
        "|---|---|---|---|---|",
    ]
    for s in SETTINGS:
        if s.internal:
            option = "posée par / set by `serve --workers`"
        else:
            option = f"`{s.option}`" if s.option else "—"
        default = f"`{s.default}`" if s.default else "(vide / empty)"
        lines.append(f"| {option} | `{s.env}` | {default} | {s.help_fr} | {s.help_en} |")
    return "\n".join(lines) + "\n"
