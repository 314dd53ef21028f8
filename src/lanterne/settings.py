"""Settings, declared once with their help text. Environment beats the command line's default.

Nothing is read at import time: ``Settings.load()`` reads the environment when called.
"""

from __future__ import annotations

import os
from pathlib import Path

import msgspec


class Setting(msgspec.Struct, frozen=True):
    name: str
    env: str
    default: str
    help_fr: str
    help_en: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "catalogue",
        "LANTERNE_CATALOGUE",
        "var/catalogue.sqlite",
        "Fichier SQLite du catalogue (créé s'il n'existe pas).",
        "SQLite file of the catalogue (created if missing).",
    ),
    Setting(
        "lang",
        "LANTERNE_LANG",
        "",
        "Langue des messages : fr ou en (par défaut : la locale, sinon le français).",
        "Language of messages: fr or en (default: the locale, else French).",
    ),
    Setting(
        "log_dir",
        "LANTERNE_LOG_DIR",
        "var/log",
        "Dossier où écrire le détail des erreurs internes.",
        "Folder where details of internal errors are written.",
    ),
    Setting(
        "chromium",
        "LANTERNE_CHROMIUM",
        "",
        "Navigateur qui imprime les rapports PDF (par défaut : chromium du PATH).",
        "Browser that prints PDF reports (default: chromium on the PATH).",
    ),
    Setting(
        "token",
        "LANTERNE_TOKEN",
        "",
        "Jeton des écritures de l'API (import, réglages) ; vide : écritures désactivées. "
        "Jamais journalisé.",
        "Token for the API's writes (import, settings); empty: writes switched off. Never logged.",
    ),
    Setting(
        "audits",
        "LANTERNE_AUDITS",
        "",
        "Dossier des rapports d'audit (JSON) que le serveur publie (défaut : CATALOGUE.audits).",
        "Folder of audit reports (JSON) the server publishes (default: CATALOGUE.audits).",
    ),
    Setting(
        "pure_python",
        "LANTERNE_PURE_PYTHON",
        "",
        "1 : ignorer la version compilée (mypyc) ; lu au chargement de Lanterne, qui en dépend.",
        "1: ignore the compiled build (mypyc); read when Lanterne loads, which depends on it.",
    ),
    # search ---------------------------------------------------------------------------------
    Setting(
        "search_query_max",
        "LANTERNE_SEARCH_QUERY_MAX",
        "500",
        "Longueur maximale d'une requête de recherche (caractères) ; au-delà, la fin est ignorée.",
        "Longest search query (characters); anything beyond is ignored.",
    ),
    # JSON-LD reading (area: jsonld) ------------------------------------------------------
    Setting(
        "jsonld_max_depth",
        "LANTERNE_JSONLD_MAX_DEPTH",
        "32",
        "Imbrication maximale (objets et listes) d'une notice JSON-LD une fois ses liens @id "
        "résolus ; au-delà, la notice va en quarantaine. Les exports réels imbriquent sur 4.",
        "Deepest nesting (objects and lists) of a JSON-LD record once its @id links are "
        "resolved; deeper records are quarantined. Real exports nest 4 deep.",
    ),
    Setting(
        "jsonld_max_nodes",
        "LANTERNE_JSONLD_MAX_NODES",
        "10000",
        "Nombre maximal d'objets et de listes d'une notice JSON-LD une fois ses liens @id "
        "résolus (un nœud partagé compte à chaque lien) ; au-delà, quarantaine.",
        "Most objects and lists in a JSON-LD record once its @id links are resolved (a shared "
        "node counts at each link); larger records are quarantined.",
    ),
    # Web (area « web »): bounds of what one HTTP request may send (docs/web.md).
    Setting(
        "upload_max",
        "LANTERNE_UPLOAD_MAX",
        str(200 * 1024 * 1024),
        "Octets au plus du corps d'un import par l'API (POST /api/ingest) ; au-delà : 413.",
        "Most bytes of an import's body through the API (POST /api/ingest); beyond: 413.",
    ),
    Setting(
        "body_max",
        "LANTERNE_BODY_MAX",
        str(1024 * 1024),
        "Octets au plus du corps de toute autre requête (réglages, formulaires) ; au-delà : 413.",
        "Most bytes of the body of any other request (settings, forms); beyond: 413.",
    ),
    Setting(
        "upload_files_max",
        "LANTERNE_UPLOAD_FILES_MAX",
        "20",
        "Fichiers au plus dans un import par l'API (le fichier et ses compagnons).",
        "Most files in one import through the API (the file and its companions).",
    ),
    Setting(
        "upload_name_max",
        "LANTERNE_UPLOAD_NAME_MAX",
        "200",
        "Caractères au plus du nom d'un fichier importé par l'API.",
        "Most characters of the name of a file imported through the API.",
    ),
    # Audit captures and simulator (area "audit"): bounds of one capture row (docs/audit.md).
    Setting(
        "audit_max_position",
        "LANTERNE_AUDIT_MAX_POSITION",
        "10000",
        "Position, rangée et colonne les plus hautes d'une ligne de capture (audit) ; au-delà, "
        "la ligne est écartée. Borne aussi la longueur d'une liste. Un accueil réel en montre "
        "moins de 2 000 (40 rangées de 40).",
        "Highest position, row and column of a capture row (audit); beyond, the row is "
        "rejected. Also bounds a list's length. A real home screen shows under 2,000 "
        "(40 rows of 40).",
    ),
    # Ingest readers (area "readers"): what one record may cost to read.
    Setting(
        "max_json_depth",
        "LANTERNE_MAX_JSON_DEPTH",
        "64",
        "Imbrication maximale (tableaux et objets) d'une notice JSON, JSON Lines ou JSON-LD ; "
        "au-delà, la notice part en quarantaine (reason.too_deep) et les autres sont lues.",
        "Deepest nesting (arrays and objects) of a JSON, JSON Lines or JSON-LD record; a deeper "
        "record is quarantined (reason.too_deep) and the others are read.",
    ),
    Setting(
        "max_record_bytes",
        "LANTERNE_MAX_RECORD_BYTES",
        str(64 * 1024 * 1024),
        "Octets au plus d'une notice (enregistrement ou ligne CSV, élément ou ligne JSON) ; "
        "au-delà, elle part en quarantaine (reason.too_large) avec ses 64 premiers Kio, "
        "sans être gardée en mémoire entière.",
        "Most bytes of one record (CSV record or line, JSON item or line); a larger one is "
        "quarantined (reason.too_large) with its first 64 KiB, never held whole in memory.",
    ),
)


def _positive(values: dict[str, str], name: str) -> int:
    """A bound given as a whole number ≥ 1; anything else is a usage error naming the variable."""
    text = values[name].strip().replace("_", "")
    if text.isdigit() and int(text) >= 1:
        return int(text)
    from lanterne.errors import BadSetting

    env = next(s.env for s in SETTINGS if s.name == name)
    raise BadSetting("setting.not_positive", name=env, value=values[name])


def setting(name: str) -> Setting:
    """The declaration of the setting ``name``."""
    for s in SETTINGS:
        if s.name == name:
            return s
    raise KeyError(name)


class Settings(msgspec.Struct, kw_only=True):
    catalogue: Path
    lang: str
    log_dir: Path
    chromium: str = ""
    token: str = ""
    audits: Path | None = None
    """``None``: beside the catalogue (``catalogue.sqlite.audits/``)."""

    pure_python: str = ""
    search_query_max: int = 500
    """Characters of a search query that are read (the rest is ignored; cost bounded)."""
    jsonld_max_depth: int = 32
    jsonld_max_nodes: int = 10_000
    max_json_depth: int = 64
    max_record_bytes: int = 64 * 1024 * 1024

    @property
    def audits_folder(self) -> Path:
        return self.audits or Path(f"{self.catalogue}.audits")

    def __repr__(self) -> str:
        # The token must not reach a log or a traceback through a repr.
        shown = "***" if self.token else ""
        return f"Settings(catalogue={self.catalogue!s}, lang={self.lang!r}, token={shown!r})"

    @classmethod
    def load(cls, **overrides: str | None) -> Settings:
        """Command-line value if given, else environment, else the declared default."""
        values: dict[str, str] = {}
        for s in SETTINGS:
            given = overrides.get(s.name)
            values[s.name] = given if given else os.environ.get(s.env, s.default)
        return cls(
            catalogue=Path(values["catalogue"]),
            lang=values["lang"],
            log_dir=Path(values["log_dir"]),
            chromium=values["chromium"],
            token=values["token"],
            audits=Path(values["audits"]) if values["audits"] else None,
            pure_python=values["pure_python"],
            search_query_max=_positive(values, "search_query_max"),
            jsonld_max_depth=_positive(values, "jsonld_max_depth"),
            jsonld_max_nodes=_positive(values, "jsonld_max_nodes"),
            max_json_depth=_positive(values, "max_json_depth"),
            max_record_bytes=_positive(values, "max_record_bytes"),
        )


# Web (area « web ») ---------------------------------------------------------------------------


class WebLimits(msgspec.Struct, kw_only=True, frozen=True):
    """What one HTTP request may send (the settings ``upload_max`` … ``upload_name_max``)."""

    upload_max: int
    body_max: int
    upload_files_max: int
    upload_name_max: int

    @classmethod
    def load(cls, **overrides: int) -> WebLimits:
        """Given value, else environment, else the declared default."""
        from lanterne.errors import BadSetting

        values: dict[str, int] = {}
        for name in cls.__struct_fields__:
            if name in overrides:
                values[name] = overrides[name]
                continue
            declared = next(s for s in SETTINGS if s.name == name)
            text = os.environ.get(declared.env, "") or declared.default
            try:
                values[name] = int(text)
            except ValueError:
                raise BadSetting("setting.not_positive", name=declared.env, value=text) from None
            if values[name] < 1:
                raise BadSetting("setting.not_positive", name=declared.env, value=text)
        return cls(**values)
