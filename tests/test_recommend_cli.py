"""``lanterne recommend`` and ``lanterne eval recommend`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from helpers import lanterne


def _dataset(folder: Path) -> Path:
    """A small dataset in the documented CSV form, and its configuration."""
    rng = np.random.default_rng(1)
    lines = ["user,item,rating,timestamp"]
    for u in range(40):
        for i in range(30):
            if rng.random() < (0.4 if i % 3 == u % 3 else 0.05):
                lines.append(f"u{u},w{i},4,{u * 100 + i}")
    lines.append("u1,,4,1")  # a row to reject
    (folder / "interactions.csv").write_text("\n".join(lines) + "\n", "utf-8")
    attrs = ["item,attribute,value"]
    titles = ["item,title"]
    for i in range(30):
        attrs += [f"w{i},genre,g{i % 3}", f"w{i},european,{'true' if i % 4 == 0 else 'false'}"]
        if i % 8 == 0:
            attrs.append(f"w{i},country,FR")
        titles.append(f"w{i},Œuvre {i}")
    (folder / "attributes.csv").write_text("\n".join(attrs) + "\n", "utf-8")
    (folder / "titles.csv").write_text("\n".join(titles) + "\n", "utf-8")
    config = {
        "name": "petit jeu",
        "interactions": "interactions.csv",
        "attributes": "attributes.csv",
        "titles": "titles.csv",
        "seeds": [1, 2],
        "report": ["european=true"],
        "models": [
            {"name": "pop", "model": "popularity"},
            {"name": "ease", "model": "ease", "params": {"lambda": 5}},
        ],
        "runs": [
            {"name": "pop", "model": "pop"},
            {"name": "ease", "model": "ease"},
            {"name": "ease+goals", "model": "ease", "goals": ["european=true:0.5"]},
            {"name": "ease+mmr", "model": "ease", "curiosity": 0.6},
        ],
    }
    path = folder / "config.json"
    path.write_text(json.dumps(config), "utf-8")
    return path


def test_eval_recommend_json_report(tmp_path: Path) -> None:
    config = _dataset(tmp_path)
    done = lanterne(tmp_path, "eval", "recommend", str(config), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["rejected"] == 1 and report["seeds"] == [1, 2]
    runs = {r["name"]: r for r in report["runs"]}
    assert runs["ease"]["metrics"]["ndcg@10"] > runs["pop"]["metrics"]["ndcg@10"]
    goals = runs["ease+goals"]["metrics"]
    assert goals["goals_satisfied_when_feasible"] == 1.0
    assert goals["share:european=true"] >= 0.5
    assert len(runs["ease"]["per_seed"]) == 2
    assert set(runs["ease"]["metrics"]) >= {
        "ndcg@10", "precision@10", "recall@10", "recall@20", "coverage", "ild", "novelty",
        "exposure_gini", "miscalibration", "share:european=true",
    }  # fmt: skip
    # The same configuration gives the same figures.
    again = json.loads(lanterne(tmp_path, "eval", "recommend", str(config), "--json").stdout)
    assert again["runs"] == report["runs"]


def test_eval_recommend_text_in_english(tmp_path: Path) -> None:
    config = _dataset(tmp_path)
    done = lanterne(tmp_path, "--lang", "en", "eval", "recommend", str(config), "--seeds", "3")
    assert done.returncode == 0, done.stderr
    assert "ease+goals" in done.stdout and "Catalogue shares" in done.stdout


def test_eval_recommend_shows_its_progress_fits_included(tmp_path: Path) -> None:
    """The shipped example ran for 12 minutes with no sign of life: every fit and every run
    now prints a line on stderr with the step, the time spent and an estimate of what is left."""
    config = _dataset(tmp_path)
    done = lanterne(tmp_path, "eval", "recommend", str(config), "--seeds", "3")
    assert done.returncode == 0, done.stderr
    steps = [line for line in done.stderr.splitlines() if line.startswith("[")]
    # 2 models fitted + 4 runs, for one seed
    assert [s.split(",")[0] for s in steps] == [f"[{i}/6" for i in range(1, 7)]
    assert steps[0].endswith("graine 3 · pop ajusté") and "restantes]" in steps[0]
    assert "ease+goals : nDCG@10 0," in steps[-2]


def test_recommend_for_a_user_and_for_a_history(tmp_path: Path) -> None:
    config = _dataset(tmp_path)
    done = lanterne(
        tmp_path,
        "recommend",
        "--config",
        str(config),
        "u3",
        "--goal",
        "european=true:0.5",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert len(result["items"]) == 10
    assert result["goals"]["satisfied"]
    assert all(p["title"].startswith("Œuvre") for p in result["items"])
    text = lanterne(
        tmp_path,
        "recommend",
        "--config",
        str(config),
        "--history",
        "w0",
        "--history",
        "w3",
        "-k",
        "5",
    )
    assert text.returncode == 0, text.stderr
    assert "proche de" in text.stdout
    assert len([line for line in text.stdout.splitlines() if line[:4].strip().endswith(".")]) == 5


def test_recommend_errors_say_what_to_do(tmp_path: Path) -> None:
    config = _dataset(tmp_path)
    unknown = lanterne(tmp_path, "recommend", "--config", str(config), "nobody")
    assert unknown.returncode == 3 and "Utilisateur inconnu" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    items = lanterne(tmp_path, "recommend", "--config", str(config), "--history", "zzz")
    assert items.returncode == 3 and "zzz" in items.stderr
    goal = lanterne(tmp_path, "recommend", "--config", str(config), "u1", "--goal", "european")
    assert goal.returncode == 2 and "ATTRIBUT=VALEUR:PART" in goal.stderr
    both = lanterne(tmp_path, "recommend", "--config", str(config), "u1", "--history", "w1")
    assert both.returncode == 2
    (tmp_path / "bad.json").write_text('{"name": "x"}', "utf-8")
    bad = lanterne(tmp_path, "eval", "recommend", str(tmp_path / "bad.json"))
    assert bad.returncode == 4 and "configuration invalide" in bad.stderr
    missing = lanterne(tmp_path, "eval", "recommend", str(tmp_path / "absent.json"))
    assert missing.returncode == 3 and "absent.json" in missing.stderr


def test_recommend_from_the_catalogue(tmp_path: Path) -> None:
    assert lanterne(tmp_path, "demo", "--no-serve").returncode == 0
    found = json.loads(lanterne(tmp_path, "search", "jazz", "--json", "--limit", "1").stdout)
    first = found["hits"][0]["id"]
    done = lanterne(
        tmp_path, "recommend", "--history", first, "--goal", "type=Drawing:#1", "--json", "-k", "5"
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert len(result["items"]) == 5 and first not in [p["item"] for p in result["items"]]
    assert result["goals"]["satisfied"]


def test_a_goal_model_from_the_configuration(tmp_path: Path) -> None:
    config = _dataset(tmp_path)
    data = json.loads(config.read_text("utf-8"))
    data["models"] += [
        {"name": "ease-tags", "model": "ease", "params": {"lambda": 5, "side_weight": 2},
         "side": ["genre", "country"]},
        {"name": "als", "model": "als", "params": {"factors": 4, "iterations": 4}},
        {"name": "blend", "model": "blend", "params": {"ease-tags": 1, "als": 0.75}},
    ]  # fmt: skip
    data["runs"] = [
        {"name": "ease+goals", "model": "ease", "goals": ["european=true:0.5"]},
        {"name": "ease+goals+blend", "model": "ease", "goals": ["european=true:0.5"],
         "goal_model": "blend"},
        {"name": "blend", "model": "blend"},
    ]  # fmt: skip
    config.write_text(json.dumps(data), "utf-8")
    done = lanterne(tmp_path, "eval", "recommend", str(config), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    runs = {r["name"]: r["metrics"] for r in report["runs"]}
    assert runs["ease+goals+blend"]["goals_satisfied_when_feasible"] == 1.0
    assert "blend" not in report["fit_seconds"]  # its models were fitted once, by name
    one = lanterne(
        tmp_path, "recommend", "--config", str(config), "u3", "--goal", "european=true:0.5",
        "--goal-model", "blend", "--json",
    )  # fmt: skip
    assert one.returncode == 0, one.stderr
    assert json.loads(one.stdout)["goals"]["satisfied"]
    # Errors: a blend of a model listed after it, an unknown goal model, no configuration.
    data["models"].insert(0, {"name": "early", "model": "blend", "params": {"ease": 1}})
    (tmp_path / "early.json").write_text(json.dumps(data), "utf-8")
    early = lanterne(tmp_path, "eval", "recommend", str(tmp_path / "early.json"))
    assert early.returncode == 4 and "early" in early.stderr
    unknown = lanterne(
        tmp_path, "recommend", "--config", str(config), "u3", "--goal-model", "nothing"
    )
    assert unknown.returncode == 4 and "nothing" in unknown.stderr
    alone = lanterne(tmp_path, "recommend", "--history", "w1", "--goal-model", "blend")
    assert alone.returncode == 2 and "--config" in alone.stderr


def test_unknown_model_in_eval_config_is_bad_input_listing_the_models(tmp_path: Path) -> None:
    """« "model": "svd" » was « Erreur interne inattendue (ValueError) », exit 1."""
    config = _dataset(tmp_path)
    data = json.loads(config.read_text("utf-8"))
    data["models"][0]["model"] = "svd"
    config.write_text(json.dumps(data), "utf-8")
    done = lanterne(tmp_path, "eval", "recommend", str(config))
    assert done.returncode == 4, done.stderr
    assert "svd" in done.stderr and "ease" in done.stderr and "Traceback" not in done.stderr
    assert "interne" not in done.stderr


@pytest.mark.parametrize(
    ("run", "named"),
    [
        ({"diversifier": "bogus"}, "bogus"),
        ({"curiosity": 3}, "curiosity"),
        ({"surface": "zigzag"}, "zigzag"),
    ],
)
def test_a_run_with_an_unknown_diversifier_surface_or_curiosity_is_bad_input_before_any_fit(
    tmp_path: Path, run: dict[str, object], named: str
) -> None:
    """« "diversifier": "bogus" » and « "curiosity": 3 » were « Erreur interne inattendue
    (ValueError) », exit 1, once the models were fitted; « "surface": "zigzag" » was ignored
    without a word by a run without goals (and the same internal error with goals)."""
    config = _dataset(tmp_path)
    data = json.loads(config.read_text("utf-8"))
    data["runs"] = [{"name": "x", "model": "ease", **run}]
    config.write_text(json.dumps(data), "utf-8")
    done = lanterne(tmp_path, "eval", "recommend", str(config))
    assert done.returncode == 4, done.stderr
    assert named in done.stderr and "interne" not in done.stderr
    assert "ajusté" not in done.stderr  # refused before the first fit
