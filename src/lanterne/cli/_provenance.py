"""``lanterne provenance``: the image registry (``register``, ``lookup``)."""

from __future__ import annotations

from pathlib import Path

import click
import msgspec

from lanterne.catalogue import open_catalogue
from lanterne.cli._common import _state, echo, echo_json
from lanterne.errors import ExitCode, InputNotFound
from lanterne.messages import translate

LABELS = ("human", "ai-assisted", "synthetic", "unknown")


@click.group("provenance")
def provenance_group() -> None:
    """Provenance : registre d'images, C2PA, étiquettes / image registry, C2PA, labels."""


def _catalogue(ctx: click.Context, given: str | None) -> Path:
    return Path(given) if given else _state(ctx).settings.catalogue


@provenance_group.command("register")
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


@provenance_group.command("lookup")
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
