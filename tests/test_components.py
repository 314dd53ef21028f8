"""Every registered component keeps the contract of its kind (LensKit's ``BasicComponentTests``,
run over the registry): its default configuration round-trips to JSON, a bad value is refused
naming the field, the same configuration and seed give the same output, and models and
diversifiers give outputs of the documented shape and order. Plug-ins are registered through a
real entry point of a real distribution, in a subprocess."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pytest
from scipy import sparse

from helpers import lanterne
from lanterne import registry
from lanterne.errors import BadInput
from lanterne.profile import Work
from lanterne.recommend import ItemSpace, ModelInputs
from lanterne.registry import KINDS, Component

ALL = [(kind, name) for kind in KINDS for name in registry.names(kind)]


def _component(kind: registry.Kind, name: str) -> Component:
    return registry.get(kind, name)


def _interactions(seed: int = 7) -> sparse.csr_matrix:
    """40 users × 30 works: a few popular works (a Zipf-like head), each user keener on one of
    three genres (work i has genre i % 3), as in a small real catalogue."""
    rng = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, 31) ** 0.8
    rows, cols = [], []
    for u in range(40):
        taste = np.where(np.arange(30) % 3 == u % 3, 3.0, 1.0) * popularity
        chosen = rng.choice(30, size=6, replace=False, p=taste / taste.sum())
        rows += [u] * len(chosen)
        cols += list(chosen)
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(40, 30))


def _space(train: sparse.csr_matrix) -> ItemSpace:
    genres = sparse.csr_matrix(np.eye(3)[np.arange(30) % 3])
    popularity = np.asarray(train.sum(axis=0), dtype=np.float64).ravel()
    return ItemSpace(genres, genres, popularity)


def _inputs() -> ModelInputs:
    rng = np.random.default_rng(3)
    return ModelInputs(
        embeddings=rng.normal(size=(30, 8)).astype(np.float32),
        side=sparse.csr_matrix(np.eye(3)[np.arange(30) % 3]),
    )


def _work(**fields: Any) -> Work:
    base: dict[str, Any] = {
        "id": "t:1",
        "type": "Painting",
        "titles": [{"value": "La Liseuse", "lang": "fr"}],
        "provenance": {"source": "t", "source_id": "1"},
        "places": [{"name": "Musée d'Orsay"}],
        "contributors": [{"agent": {"name": "Fragonard"}, "role": "creator"}],
    }
    base.update(fields)
    return msgspec.convert(base, Work)


WORKS = [
    _work(),
    _work(titles=[{"value": "The Reader"}], media=[{"kind": "image", "url": "https://x/a.jpg"}]),
    _work(type="Event", descriptions=[{"value": "Un concert de musique acadienne, en plein air."}]),
]


@pytest.mark.parametrize(("kind", "name"), ALL)
class TestComponentContract:
    def test_default_config_round_trips_to_json(self, kind: registry.Kind, name: str) -> None:
        component = _component(kind, name)
        config = component.default_config()
        assert isinstance(config, component.config)
        text = msgspec.json.encode(config)
        assert msgspec.json.decode(text, type=component.config) == config
        assert component.validate(json.loads(text)) == config
        assert component.validate(None) == config

    def test_a_bad_value_is_refused_naming_the_field(self, kind: registry.Kind, name: str) -> None:
        component = _component(kind, name)
        with pytest.raises(BadInput) as unknown:
            component.validate({"no_such_field": 1})
        assert "no_such_field" in str(unknown.value) and name in str(unknown.value)
        for field in msgspec.structs.fields(component.config):
            with pytest.raises(BadInput) as bad:
                component.validate({field.encode_name: [1, 2]})  # a list fits no parameter
            assert f"$.{field.encode_name}" in str(bad.value), field.name

    def test_same_config_same_output(self, kind: registry.Kind, name: str) -> None:
        component = _component(kind, name)
        first, second = _run(component), _run(component)
        assert len(first) == len(second)
        for a, b in zip(first, second, strict=True):
            np.testing.assert_array_equal(a, b)

    def test_output_shape_and_order(self, kind: registry.Kind, name: str) -> None:
        component = _component(kind, name)
        train = _interactions()
        if kind == "model":
            model = component.build(component.default_config(), _inputs())
            model.fit(train)
            scores = model.score(train[:5])
            assert scores.shape == (5, 30) and np.isfinite(scores).all()
            history = train[0].indices.astype(np.int64)
            assert model.neighbours(history, 3).shape == (len(history),)
            copy = component.build(component.default_config(), _inputs())
            copy.restore(model.state())
            np.testing.assert_allclose(copy.score(train[:5]), scores)
        elif kind == "diversifier":
            items, utility, history = _candidates(train)
            order = _rerank(component, train, items, utility, history)
            # Every candidate once, each with a utility; past the k placed, best first.
            assert sorted(order.items.tolist()) == sorted(items.tolist())
            assert len(order.utility) == len(items)
            assert np.all(np.diff(order.utility[5:]) <= 1e-12)
        elif kind == "fusion":
            fused = component.build(component.default_config())(*_rankings())
            keys = [k for k, _ in fused]
            assert sorted(keys) == [1, 2, 3, 4, 5] and len(set(keys)) == len(keys)
            assert np.all(np.diff([s for _, s in fused]) <= 0)
        elif kind == "quality_rule":
            rule = component.build(component.default_config())
            assert rule.id == name and rule.weight == component.default_config().weight
            heavier = component.build(component.validate({"weight": rule.weight + 5}))
            assert heavier.weight == rule.weight + 5 and heavier.id == name
        elif kind == "detector":
            detector = component.build(component.default_config())
            assert detector.name == name and detector.version
            assert detector.inputs and detector.inputs <= {"image", "text"}
            for item in _detector_inputs():
                found = detector.detect(item)
                assert found is None or (
                    0.0 <= found.score <= 1.0 and found.detector == name and found.version
                )
        else:
            fix = component.build(component.default_config())
            assert fix.id == name and fix.label[0] and fix.label[1]


_C2PA_IMAGE = Path(__file__).resolve().parents[2] / "shared/standards/c2pa/fixtures/C.jpg"


def _detector_inputs() -> list[Any]:
    """A text, bytes that are no image, and a signed AI image when ../shared holds it."""
    from lanterne.provenance import DetectorInput

    items = [DetectorInput(text="Un texte écrit à la main."), DetectorInput(image=b"\x00" * 64)]
    if _C2PA_IMAGE.is_file():
        items.append(DetectorInput(image=_C2PA_IMAGE.read_bytes()))
    return items


def _candidates(train: sparse.csr_matrix) -> tuple[Any, Any, Any]:
    history = train[1].indices.astype(np.int64)
    items = np.setdiff1d(np.arange(30), history)[:20].astype(np.int64)
    utility = np.linspace(1.0, 0.0, len(items))
    return items, utility, history


def _rerank(component: Component, train: Any, items: Any, utility: Any, history: Any) -> Any:
    reranker = component.build(component.default_config(), _space(train), 0.5)
    return reranker.rerank(items, utility, 5, history)


def _rankings() -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
    return [(1, 9.0), (2, 5.0), (4, 1.0)], [(3, 0.9), (1, 0.8), (5, 0.2)]


def _run(component: Component) -> list[Any]:
    """The component's output on the fixture, made from scratch (arrays to compare)."""
    train = _interactions()
    if component.kind == "model":
        model = component.build(component.default_config(), _inputs())
        model.fit(train)
        return [model.score(train)]
    if component.kind == "diversifier":
        order = _rerank(component, train, *_candidates(train))
        return [order.items, order.utility]
    if component.kind == "fusion":
        fused = component.build(component.default_config())(*_rankings())
        return [np.asarray(fused)]
    if component.kind == "quality_rule":
        rule = component.build(component.default_config())
        return [np.asarray([rule.applies(w) and rule.check(w) for w in WORKS])]
    if component.kind == "detector":
        detector = component.build(component.default_config())
        found = [detector.detect(item) for item in _detector_inputs()]
        return [np.asarray([msgspec.json.encode(f) for f in found])]
    fix = component.build(component.default_config())
    return [np.asarray([msgspec.json.encode(fix.apply(w)) for w in WORKS])]


def test_the_registry_lists_each_kind_and_refuses_unknown_names() -> None:
    assert registry.names("model") == ("popularity", "itemknn", "ease", "als", "content")
    assert registry.names("diversifier") == ("mmr", "calibrated", "longtail", "none")
    assert registry.names("fusion") == ("rrf", "scores")
    assert "title_fr" in registry.names("quality_rule") and "add_image" in registry.names("fix")
    assert "c2pa" in registry.names("detector")
    with pytest.raises(BadInput) as unknown:
        registry.get("diversifier", "random")
    assert "random" in str(unknown.value) and "mmr, calibrated" in str(unknown.value)
    with pytest.raises(ValueError, match="already registered"):
        registry.load().add(registry.get("model", "ease"))


def test_a_kind_is_loaded_only_when_asked_for() -> None:
    """A diagnosis must not import the recommender's models (numpy, scipy) through the registry."""
    reg = registry.Registry(plugins=False)
    assert reg.names("fusion") == ("rrf", "scores")
    assert reg.sources == ["lanterne.search._fusion"]


# Plug-ins, through a real entry point -------------------------------------------------------

PLUGIN = '''
"""A plug-in adding a model and a diversifier to Lanterne."""

import msgspec
import numpy as np

from lanterne.recommend import Order
from lanterne.registry import Component


class DiscoveryConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    lift: float = 1.0


class Discovery:
    """The least chosen works first (the opposite of popularity)."""

    name = "discovery"

    def __init__(self, lift):
        self.lift = lift
        self.counts = np.zeros(0)

    def fit(self, train):
        self.counts = np.asarray(train.sum(axis=0), dtype=np.float64).ravel()

    def score(self, history):
        return np.tile(self.lift / (1.0 + self.counts), (history.shape[0], 1))

    def neighbours(self, history_items, item):
        return np.zeros(len(history_items))

    def state(self):
        return {"counts": self.counts}

    def restore(self, state):
        self.counts = np.asarray(state["counts"], dtype=np.float64)


class Backwards:
    """The candidates in reverse order."""

    def rerank(self, items, utility, k, history):
        return Order(items=items[::-1].copy(), utility=utility[::-1].copy())


def register(registry):
    registry.add(
        Component("model", "discovery", DiscoveryConfig, lambda c, inputs: Discovery(c.lift))
    )
    registry.add(
        Component(
            "diversifier", "backwards", DiscoveryConfig, lambda c, space, curiosity: Backwards()
        )
    )
'''


def _plugin(site: Path) -> None:
    """A distribution ``lanterne-discovery`` installed in ``site`` as pip would leave it."""
    (site / "lanterne_discovery").mkdir(parents=True)
    (site / "lanterne_discovery" / "__init__.py").write_text(PLUGIN, "utf-8")
    info = site / "lanterne_discovery-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: lanterne-discovery\nVersion: 0.1\n", "utf-8"
    )
    (info / "entry_points.txt").write_text(
        textwrap.dedent(
            """\
            [lanterne.components]
            discovery = lanterne_discovery
            """
        ),
        "utf-8",
    )


def _with_plugin(tmp_path: Path) -> dict[str, str]:
    site = tmp_path / "site"
    _plugin(site)
    return {
        "PYTHONPATH": os.pathsep.join(
            [*os.environ.get("PYTHONPATH", "").split(os.pathsep), str(site)]
        ).strip(os.pathsep)
    }


def test_a_plugin_model_and_diversifier_run_in_eval_recommend(tmp_path: Path) -> None:
    env = _with_plugin(tmp_path)
    rows = ["user,item"] + [
        f"u{u},w{i}" for u in range(30) for i in range(20) if (u * 7 + i * 3) % 5 < 2
    ]
    (tmp_path / "interactions.csv").write_text("\n".join(rows) + "\n", "utf-8")
    attributes = ["item,attribute,value"] + [f"w{i},genre,g{i % 3}" for i in range(20)]
    (tmp_path / "attributes.csv").write_text("\n".join(attributes) + "\n", "utf-8")
    config = {
        "name": "plug-in",
        "interactions": "interactions.csv",
        "attributes": "attributes.csv",
        "seeds": [1],
        "models": [
            {"name": "pop", "model": "popularity"},
            {"name": "disc", "model": "discovery", "params": {"lift": 2}},
        ],
        "runs": [
            {"name": "pop", "model": "pop"},
            {"name": "disc", "model": "disc"},
            {
                "name": "pop+backwards",
                "model": "pop",
                "curiosity": 0.5,
                "diversifier": {"name": "backwards", "lift": 1},
            },
        ],
    }
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config), "utf-8")
    done = lanterne(tmp_path, "eval", "recommend", str(path), "--json", **env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    runs = {r["name"]: r["metrics"] for r in report["runs"]}
    # The least chosen works first: the novelty of their lists is above popularity's.
    assert runs["disc"]["novelty"] > runs["pop"]["novelty"]
    assert runs["pop+backwards"]["ndcg@10"] != runs["pop"]["ndcg@10"]
    assert report["parameters"]["models"][1]["params"] == {"lift": 2.0}

    listed = lanterne(tmp_path, "eval", "recommend", str(path), "--json")  # no plug-in
    assert listed.returncode == 4 and "discovery" in listed.stderr
    assert "popularity" in listed.stderr and "Traceback" not in listed.stderr

    config["models"][1]["params"] = {"lift": "beaucoup"}
    path.write_text(json.dumps(config), "utf-8")
    bad = lanterne(tmp_path, "eval", "recommend", str(path), **env)
    assert bad.returncode == 4 and "$.lift" in bad.stderr and "Traceback" not in bad.stderr


def test_a_bad_model_parameter_in_eval_recommend_names_the_field(tmp_path: Path) -> None:
    """« "factors": -4 » reached ALS unchecked; « "lamda" » was silently ignored."""
    from lanterne.recommend import load_config

    rows = {"name": "x", "interactions": "i.csv", "models": []}
    for params, field in (({"factors": -4}, "$.factors"), ({"lamda": 3}, "lamda")):
        model = "als" if "factors" in params else "ease"
        rows["models"] = [{"name": "m", "model": model, "params": params}]
        path = tmp_path / "config.json"
        path.write_text(json.dumps(rows), "utf-8")
        with pytest.raises(BadInput) as bad:
            load_config(path)
        assert field in str(bad.value) and "« m »" in str(bad.value)


def test_a_plugin_diversifier_is_a_choice_of_the_cli_and_the_api(tmp_path: Path) -> None:
    # The CLI and the API listed « mmr, calibrated, longtail » by hand: a plug-in's diversifier
    # ran in eval recommend but `lanterne recommend --diversifier` refused it.
    env = _with_plugin(tmp_path)
    shown = lanterne(tmp_path, "recommend", "--help", **env)
    assert shown.returncode == 0, shown.stderr
    assert "backwards" in shown.stdout and "longtail" in shown.stdout
    plain = lanterne(tmp_path, "recommend", "--help")
    assert plain.returncode == 0 and "backwards" not in plain.stdout
    refused = lanterne(tmp_path, "recommend", "--diversifier", "random", "--history", "x")
    assert refused.returncode == 2 and "longtail" in refused.stderr
    schema = lanterne(
        tmp_path,
        "serve",
        "--get",
        "/api/openapi.json",
        **env,
    )
    assert schema.returncode == 0, schema.stderr
    assert (
        "backwards"
        in json.loads(schema.stdout)["components"]["schemas"]["Settings"]["properties"][
            "diversifier"
        ]["pattern"]
    )
