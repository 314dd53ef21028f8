"""``lanterne provenance``: the image registry (``register``, ``lookup``), an image's C2PA
manifest verified and an organisation's images signed with its own certificate (``verify``,
``sign``; docs/registry-and-tdm.md, docs/provenance.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import msgspec

from lanterne.catalogue import open_catalogue
from lanterne.cli._common import _state, echo, echo_json
from lanterne.cli._footprint import Measured
from lanterne.errors import ExitCode, InputNotFound, NotFound
from lanterne.messages import translate
from lanterne.profile import Work

LABELS = ("human", "ai-assisted", "synthetic", "unknown")


@click.group("provenance")
def provenance_group() -> None:
    """Provenance : registre d'images, C2PA, étiquettes / image registry, C2PA, labels."""


def _catalogue(ctx: click.Context, given: str | None) -> Path | str:
    return given if given else _state(ctx).settings.catalogue


@provenance_group.command("register", cls=Measured)
@click.argument("images", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--catalogue", "catalogue", metavar="FICHIER", help="Catalogue SQLite.")
@click.option("--work", "work_id", metavar="ID", help="L'œuvre que montrent ces images.")
@click.option(
    "--label",
    type=click.Choice(LABELS),
    help="Étiquette de création (sinon celle de l'œuvre) / creation label (else the work's).",
)
@click.option("--json", "as_json", is_flag=True, help="Résultat JSON / JSON result.")
@click.pass_context
def register_command(
    ctx: click.Context,
    images: tuple[Path, ...],
    catalogue: str | None,
    work_id: str | None,
    label: str | None,
    as_json: bool,
) -> None:
    """Inscrire des images au registre (PDQ, pHash) / register images (PDQ, pHash)."""
    from lanterne.provenance import Registry

    lang = _state(ctx).lang
    for path in images:  # all of them before a batch is stored: a typo stores nothing
        if not path.is_file():
            raise InputNotFound("input.not_found", path=path)
    files: list[tuple[str, bytes | Path]] = [(str(p), p) for p in images]
    with open_catalogue(_catalogue(ctx, catalogue)) as db:
        done = Registry(db).register(files, work_id=work_id, label=label)
    if as_json:
        echo_json(msgspec.json.format(msgspec.json.encode(done)).decode())
        return
    for r in done:
        state = translate(lang, "inscrite") if r.added else translate(lang, "déjà inscrite")
        line = f"{r.file}  PDQ {r.pdq}  " + translate(lang, "qualité {q}", q=r.quality)
        echo(f"{line}  {state}")
        if not r.usable:
            echo(
                "  "
                + translate(
                    lang,
                    "qualité trop faible : cette image ne sera jamais reconnue (seuil {q})",
                    q=Registry(db).config.min_quality,
                )
            )


@provenance_group.command("lookup", cls=Measured)
@click.argument("image", type=click.Path(path_type=Path))
@click.option("--catalogue", "catalogue", metavar="FICHIER", help="Catalogue SQLite.")
@click.option("--json", "as_json", is_flag=True, help="Résultat JSON / JSON result.")
@click.pass_context
def lookup_command(ctx: click.Context, image: Path, catalogue: str | None, as_json: bool) -> None:
    """Chercher une image au registre (PDQ ≤ 31) / look an image up in the registry.

    Exit code 0: registered work found; 3: none; 4: no decision (quality too low).
    """
    from lanterne.provenance import Registry, read_image

    lang = _state(ctx).lang
    data = read_image(image)
    with open_catalogue(_catalogue(ctx, catalogue)) as db:
        found = Registry(db).lookup(data, str(image))
    if as_json:
        echo_json(msgspec.json.format(msgspec.json.encode(found)).decode())
    elif found.decision == "undecided":
        echo(
            translate(
                lang,
                "Pas de décision : qualité PDQ {quality} sous le seuil {threshold} (image trop "
                "unie ou trop petite pour être reconnue).",
                quality=found.quality,
                threshold=found.min_quality,
            )
        )
    elif found.decision == "no_match":
        echo(
            translate(
                lang,
                "Aucune image inscrite à moins de {distance} bits (PDQ {pdq}).",
                distance=found.max_distance + 1,
                pdq=found.pdq,
            )
        )
    else:
        for m in found.matches:
            echo(
                translate(
                    lang,
                    "{work} ({label}) : distance PDQ {distance} ({transform}), pHash {phash}/64, "
                    "image inscrite « {file} »",
                    work=m.work_id or "—",
                    label=m.label or translate(lang, "sans étiquette"),
                    distance=m.distance,
                    transform=m.transform,
                    phash=m.phash_distance,
                    file=m.file,
                )
            )
    codes = {"match": ExitCode.OK, "no_match": ExitCode.NOT_FOUND, "undecided": ExitCode.BAD_INPUT}
    ctx.exit(codes[found.decision])


def _trust_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--trust",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Ancres de confiance : réglages c2pa (JSON) ou certificats PEM (LANTERNE_C2PA_TRUST).",
    )(command)


@provenance_group.command("verify")
@click.argument("image", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--work",
    "work_id",
    metavar="ID",
    help="Garder la preuve lue pour cette œuvre du catalogue / keep the evidence for this work.",
)
@click.option("--catalogue", "catalogue", metavar="FICHIER", help="Catalogue (avec --work).")
@click.option("--json", "as_json", is_flag=True, help="Résultat JSON / JSON result.")
@_trust_option
@click.pass_context
def verify_command(
    ctx: click.Context,
    image: Path,
    work_id: str | None,
    catalogue: str | None,
    as_json: bool,
    trust: Path | None,
) -> None:
    """Vérifier le manifeste C2PA d'une image, et avec --work garder sa preuve pour l'œuvre /
    verify an image's C2PA manifest, and with --work keep its evidence on the work."""
    from lanterne.provenance import TrustConfig, verify_file
    from lanterne.settings import ProvenanceSettings

    lang = _state(ctx).lang
    if work_id is not None:  # an unknown work before the image is read
        with open_catalogue(_catalogue(ctx, catalogue)) as db:
            if db.get(work_id) is None:
                raise NotFound("work.not_found", id=work_id)
    settings = ProvenanceSettings.load(c2pa_trust=str(trust) if trust else None)
    config = TrustConfig.load(settings.c2pa_trust)
    result = verify_file(image, config, max_bytes=settings.provenance_image_max)
    evidence = result.evidence()
    work = None
    if work_id is not None and evidence is not None:
        from lanterne.provenance import attach_evidence

        # An Invalid manifest is kept too: shown with the work, it never decides.
        with open_catalogue(_catalogue(ctx, catalogue)) as db:
            work = attach_evidence(db, work_id, [evidence])
    if as_json:
        data = msgspec.to_builtins(result)
        data["evidence"] = msgspec.to_builtins(evidence) if evidence else None
        if work_id is not None:
            label = work.creation_label if work is not None else None
            data["work"] = {
                "id": work_id,
                "stored": work is not None,
                "creation_label": msgspec.to_builtins(label) if label is not None else None,
            }
        echo_json(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        from lanterne.provenance import result_lines

        for line in result_lines(result, lang):
            echo(line)
        if work_id is not None:
            echo(_stored_words(work_id, work, lang))
    if result.status in ("unsupported", "unreadable", "remote", "too-large") or (
        result.state is not None and result.state.value == "Invalid"
    ):
        ctx.exit(ExitCode.BAD_INPUT)


def _stored_words(work_id: str, work: Work | None, lang: str) -> str:
    """What ``verify --work`` kept, and the work's label now, in plain words."""
    from lanterne.provenance import label_sentence, value_words

    if work is None:
        return translate(
            lang, "Aucun manifeste lu : rien n'est gardé pour l'œuvre {work}.", work=work_id
        )
    label = work.creation_label
    assert label is not None  # the evidence just kept gives it one
    return translate(
        lang,
        "Preuve gardée pour l'œuvre {work}. Son étiquette : {value}. {evidence}.",
        work=work_id,
        value=value_words(label.value, lang),
        evidence=label_sentence(label, lang),
    )


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
    from lanterne.provenance import TrustConfig, result_lines, sign_file, verify_file
    from lanterne.settings import ProvenanceSettings

    lang = _state(ctx).lang
    sign_file(image, chain, key, output, tdm=tdm, source_type=source_type, author=author, alg=alg)
    settings = ProvenanceSettings.load(c2pa_trust=str(trust) if trust else None)
    result = verify_file(output, TrustConfig.load(settings.c2pa_trust))
    echo(translate(lang, "Signée : {path}", path=str(output)))
    for line in result_lines(result, lang):
        echo(line)
