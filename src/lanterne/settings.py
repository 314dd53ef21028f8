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
)


class Settings(msgspec.Struct, kw_only=True):
    catalogue: Path
    lang: str
    log_dir: Path
    chromium: str = ""
    token: str = ""
    audits: Path | None = None
    """``None``: beside the catalogue (``catalogue.sqlite.audits/``)."""

    pure_python: str = ""

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
        )
