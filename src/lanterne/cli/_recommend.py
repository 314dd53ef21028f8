"""``lanterne recommend``, ``lanterne eval recommend`` and ``lanterne eval prepare-movielens``."""

from __future__ import annotations

import json
from pathlib import Path

import click
import msgspec

from lanterne._visible import visible
from lanterne.catalogue import open_catalogue
from lanterne.cli._common import (
    Registered,
    _state,
    diversifier_names,
    echo,
    echo_json,
    interaction_data_options,
    weighting_names,
)
from lanterne.cli._footprint import Measured
from lanterne.messages import Lang, translate


@click.command("recommend")
@click.argument("user", required=False)
@click.option("--history", multiple=True, metavar="ID", help="Œuvres déjà aimées (répétable).")
@interaction_data_options
@click.option(
    "--curiosity",
    "--curiosite",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    show_default=True,
    help="0 familier … 1 découverte / 0 familiar … 1 discovery.",
)
@click.option(
    "--diversifier",
    type=Registered(diversifier_names),
    default="mmr",
    show_default=True,
)
@click.option(
    "--goal", "goals", multiple=True, metavar="ATTR=VAL:PART", help="Ex. european=true:0.6"
)
@click.option(
    "--only",
    "only",
    multiple=True,
    metavar="ATTR=VAL",
    help="Seulement ces œuvres / only these works. Ex. creation=human",
)
@click.option(
    "--surface",
    type=Registered(weighting_names),
    default="uniform",
    show_default=True,
)
@click.option("--limit", "-k", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def recommend_command(
    ctx: click.Context,
    user: str | None,
    history: tuple[str, ...],
    config: Path | None,
    model: str | None,
    goal_model: str | None,
    curiosity: float,
    diversifier: str,
    goals: tuple[str, ...],
    only: tuple[str, ...],
    surface: str,
    limit: int,
    as_json: bool,
) -> None:
    """Recommander des œuvres, avec leurs raisons / recommend works, with reasons."""
    from lanterne.recommend import Options, Surface, catalogue_service, dataset_service

    state = _state(ctx)
    if (user is None) == (not history):
        raise click.UsageError(
            translate(state.lang, "donnez un UTILISATEUR ou --history, pas les deux")
        )
    from lanterne.recommend import parse_goal, parse_only

    parsed = tuple(parse_goal(spec) for spec in goals)
    options = Options(
        goals=parsed,
        only=tuple(c for spec in only for c in parse_only(spec)),
        surface=Surface(kind=surface),
        curiosity=curiosity,
        diversifier=diversifier,
        k=limit,
    )
    if config is not None:
        source = dataset_service(config, model=model, goal_model=goal_model, options=options)
        result = _run(source, user, history)
    else:
        if user is not None:
            raise click.UsageError(
                translate(
                    state.lang,
                    "sans --config, donnez l'historique avec --history (identifiants d'œuvres)",
                )
            )
        if goal_model is not None:
            raise click.UsageError(
                translate(
                    state.lang,
                    "--goal-model nomme un modèle d'une configuration : donnez aussi --config",
                )
            )
        with open_catalogue(state.settings.catalogue) as catalogue:
            source = catalogue_service(catalogue, options)
            result = _run(source, user, history)
    if as_json:
        data = msgspec.to_builtins(result)
        for pick in data["items"]:
            pick["title"] = source.title(pick["item"])
        echo_json(json.dumps(data, ensure_ascii=False, indent=2))
        return
    _print(result, source, state.lang)


def _run(source: object, user: str | None, history: tuple[str, ...]) -> object:
    from lanterne.recommend import RecommenderService

    assert isinstance(source, RecommenderService)
    items = source.history_of(user) if user is not None else source.indices(history)
    return source.recommend(items)


def _print(result: object, source: object, lang: Lang) -> None:
    from lanterne.recommend import Recommendation, RecommenderService

    assert isinstance(result, Recommendation) and isinstance(source, RecommenderService)
    for pick in result.items:
        title = visible(source.title(pick.item))
        echo(f"{pick.rank:>3}. {title}  [{visible(pick.item)}]  {pick.score:.3f}")
        why = pick.explanation
        if why is None:
            continue
        if why.because:
            close = ", ".join(f"{source.title(b.item)}" for b in why.because)
            echo("     " + translate(lang, "proche de : ") + close)
        if why.placed_by == "goal":
            line = translate(lang, "placée par l'objectif ") + ", ".join(why.goals)
            if why.replaced:
                line += translate(lang, ", à la place de ") + source.title(why.replaced)
            echo("     " + line)
        elif why.placed_by == "curiosity":
            line = translate(lang, "placée par la curiosité")
            if why.replaced:
                line += translate(lang, ", à la place de ") + source.title(why.replaced)
            echo("     " + line)
    goals = result.goals
    if goals is not None:
        echo()
        for name, achieved in zip(result.goal_names, goals.achieved, strict=True):
            echo(f"  {name}: {achieved:.0%}")
        if not goals.feasible:
            echo(
                translate(
                    lang, "Objectifs impossibles à tenir avec ce catalogue : liste la plus proche."
                )
            )


@click.command("recommend", cls=Measured)
@click.argument("config", type=click.Path(path_type=Path))
@click.option("--seeds", type=int, multiple=True, help="Remplace les graines de la configuration.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Rapport JSON à écrire.")
@click.pass_context
def eval_recommend_command(
    ctx: click.Context, config: Path, seeds: tuple[int, ...], as_json: bool, output: Path | None
) -> None:
    """Évaluer des recommandations hors ligne / offline recommendation evaluation."""
    from lanterne.recommend import EvalStep, run_evaluation

    state = _state(ctx)

    def progress(step: EvalStep) -> None:
        # Every fit and run says where the evaluation is and about how long is left (stderr:
        # the ml-latest-small example runs for minutes).
        left = step.seconds / step.done * (step.total - step.done)
        where = f"[{step.done}/{step.total}, {step.seconds:.0f} s, ≈ {left:.0f} s "
        where += translate(state.lang, "restantes] ")
        seed = translate(state.lang, "graine ") + f"{step.seed} · "
        if step.metrics is None:
            what = translate(state.lang, "{name} ajusté", name=step.name)
        else:
            ndcg = next(v for k, v in step.metrics.items() if k.startswith("ndcg"))
            what = f"{step.name} : nDCG@10 " if state.lang == "fr" else f"{step.name}: nDCG@10 "
            what += f"{ndcg:.4f}".replace(".", "," if state.lang == "fr" else ".")
        echo(where + seed + what, err=True)

    report = run_evaluation(config, seeds=list(seeds) or None, progress=progress)
    data = msgspec.to_builtins(report)
    if output is not None:
        output.write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
    if as_json:
        echo_json(json.dumps(data, ensure_ascii=False, indent=2))
        return
    lang = state.lang
    echo(
        translate(
            lang,
            "{name} — {users} utilisateurs, {items} œuvres, {interactions} interactions",
            name=report.name,
            users=report.users,
            items=report.items,
            interactions=report.interactions,
        )
        + (
            translate(lang, ", {rejected} lignes écartées", rejected=report.rejected)
            if report.rejected
            else ""
        )
        + translate(lang, " ; graines ")
        + ", ".join(map(str, report.seeds))
    )
    if report.catalogue_shares:
        shares = ", ".join(f"{k} {v:.1%}" for k, v in report.catalogue_shares.items())
        echo(translate(lang, "Parts du catalogue : ") + shares)
    keys = list(report.runs[0].metrics) if report.runs else []
    short = [k for k in keys if not k.startswith("goals_")]
    header = (
        f"{'':<24}" + "".join(f"{k.replace('share:', ''):>16}" for k in short) + f"{'goals ok':>10}"
    )
    echo(header)
    for run in report.runs:
        row = f"{run.name:<24}" + "".join(f"{run.metrics[k]:>16.4f}" for k in short)
        if "goals_satisfied" in run.metrics:
            row += f"{run.metrics['goals_satisfied_when_feasible']:>10.1%}"
        echo(row)
    echo(
        translate(lang, "Temps d'apprentissage (s) : ")
        + ", ".join(f"{k} {v:.2f}" for k, v in report.fit_seconds.items())
    )


@click.command("prepare-movielens", cls=Measured)
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True)
@click.pass_context
def prepare_movielens_command(ctx: click.Context, data: Path, output: Path) -> None:
    """MovieLens + Wikidata → interactions.csv, item-attributes.csv, titles.csv."""
    from lanterne.recommend import convert_movielens

    state = _state(ctx)
    summary = convert_movielens(data, output)
    echo(
        translate(
            state.lang,
            "{output}: {interactions} interactions, {users} utilisateurs, {items} œuvres, "
            "{attribute_rows} attributs, {quarantined} en quarantaine",
            output=output,
            interactions=summary.interactions,
            users=summary.users,
            items=summary.items,
            attribute_rows=summary.attribute_rows,
            quarantined=summary.quarantined,
        )
    )
