"""``lanterne provenance``: an image's C2PA manifest verified, and an organisation's images
signed with its own certificate (docs/provenance.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import msgspec

from lanterne.cli._common import _state, echo, echo_json
from lanterne.errors import ExitCode
from lanterne.messages import Lang, translate


@click.group("provenance")
def provenance_group() -> None:
    """Provenance des images : vérifier, signer (C2PA) / image provenance: verify, sign (C2PA)."""


def _trust_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--trust",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Ancres de confiance : réglages c2pa (JSON) ou certificats PEM (LANTERNE_C2PA_TRUST).",
    )(command)


@provenance_group.command("verify")
@click.argument("image", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Résultat JSON / JSON result.")
@_trust_option
@click.pass_context
def verify_command(ctx: click.Context, image: Path, as_json: bool, trust: Path | None) -> None:
    """Vérifier le manifeste C2PA d'une image / verify an image's C2PA manifest."""
    from lanterne.provenance import TrustConfig, verify_file
    from lanterne.settings import ProvenanceSettings

    lang = _state(ctx).lang
    settings = ProvenanceSettings.load(c2pa_trust=str(trust) if trust else None)
    config = TrustConfig.load(settings.c2pa_trust)
    result = verify_file(image, config, max_bytes=settings.provenance_image_max)
    if as_json:
        data = msgspec.to_builtins(result)
        evidence = result.evidence()
        data["evidence"] = msgspec.to_builtins(evidence) if evidence else None
        echo_json(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for line in result_lines(result, lang):
            echo(line)
    if result.status in ("unsupported", "unreadable", "remote", "too-large") or (
        result.state is not None and result.state.value == "Invalid"
    ):
        ctx.exit(ExitCode.BAD_INPUT)


def result_lines(result: object, lang: Lang) -> list[str]:
    """A verification in a few lines, French or English."""
    from lanterne.provenance import C2paResult, source_type_label, value_words

    assert isinstance(result, C2paResult)
    colon = " : " if lang == "fr" else ": "
    lines = [translate(lang, "État") + colon + state_words(result, lang)]
    if result.reason and result.status != "too-large":
        lines.append(translate(lang, "Raison") + colon + result.reason)
    if result.signer or result.issuer:
        who = result.signer or ""
        if result.issuer:
            who += f" ({result.issuer})"
        if result.signed_at:
            who += translate(lang, ", signé le {date}", date=result.signed_at)
        lines.append(translate(lang, "Signataire") + colon + who)
    for failure in result.failures:
        where = "" if failure.where == "activeManifest" else f" [{failure.where}]"
        lines.append(f"  ✗ {failure.code}{where} — {failure.explanation}")
    for action in result.actions:
        text = f"  {action.action}"
        if action.digital_source_type:
            code = action.digital_source_type.rsplit("/", 1)[-1]
            value = source_type_label(action.digital_source_type)
            text += f" — {code}" + (f" → {value_words(value, lang)}" if value else "")
        lines.append(text)
    if result.label is not None:
        lines.append(translate(lang, "Création") + colon + value_words(result.label, lang))
    if result.tdm_reserved is not None:
        uses = ", ".join(f"{k} = {v}" for k, v in result.training_mining.items())
        said = translate(lang, "réservée") if result.tdm_reserved else translate(lang, "autorisée")
        lines.append(
            translate(lang, "Fouille de textes et de données") + colon + f"{said} ({uses})"
        )
    return lines


def state_words(result: object, lang: Lang) -> str:
    """The state of a verification in plain words."""
    from lanterne.provenance import C2paResult

    assert isinstance(result, C2paResult)
    if result.status == "none":
        return translate(lang, "aucun manifeste C2PA")
    if result.status == "unsupported":
        return translate(lang, "format non pris en charge")
    if result.status == "too-large":
        return translate(
            lang, "image trop grande (plus de {limit} octets), non lue", limit=result.reason
        )
    if result.status == "remote":
        return translate(lang, "manifeste distant, non téléchargé (vérification hors ligne)")
    state = result.state.value if result.state else "Invalid"
    if state == "Trusted":
        return "Trusted — " + translate(lang, "signature valide, certificat vérifié")
    if state == "Valid":
        if not result.trusted_anchors:
            return "Valid — " + translate(
                lang, "signature valide, signataire non vérifié (aucune ancre de confiance)"
            )
        return "Valid — " + translate(lang, "signature valide, signataire non reconnu")
    return "Invalid — " + translate(lang, "manifeste ou image altérés")


@provenance_group.command("sign")
@click.argument("image", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--cert",
    "chain",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Chaîne de certificats PEM, signataire en premier / PEM certificate chain.",
)
@click.option(
    "--key",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Clé privée PEM / PEM private key.",
)
@click.option(
    "--tdm",
    type=click.Choice(["notAllowed", "allowed", "constrained"]),
    help="Fouille de textes et de données, entraînement d'IA / TDM and AI training.",
)
@click.option(
    "--source-type",
    default="digitalCapture",
    show_default=True,
    help="Type de source IPTC (création humaine) / IPTC source type (human-made).",
)
@click.option("--author", help="Organisation autrice / authoring organisation.")
@click.option(
    "--alg",
    type=click.Choice(["ps256", "ps384", "ps512", "es256", "es384", "es512", "ed25519"]),
    help="Algorithme (défaut : celui de la clé) / algorithm (default: the key's).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@_trust_option
@click.pass_context
def sign_command(
    ctx: click.Context,
    image: Path,
    chain: Path,
    key: Path,
    tdm: str | None,
    source_type: str,
    author: str | None,
    alg: str | None,
    output: Path,
    trust: Path | None,
) -> None:
    """Signer une image (création humaine, choix de fouille) / sign an image (human creation,
    TDM choice)."""
    from lanterne.provenance import TrustConfig, sign_file, verify_file
    from lanterne.settings import ProvenanceSettings

    lang = _state(ctx).lang
    sign_file(image, chain, key, output, tdm=tdm, source_type=source_type, author=author, alg=alg)
    settings = ProvenanceSettings.load(c2pa_trust=str(trust) if trust else None)
    result = verify_file(output, TrustConfig.load(settings.c2pa_trust))
    echo(translate(lang, "Signée : {path}", path=str(output)))
    for line in result_lines(result, lang):
        echo(line)
