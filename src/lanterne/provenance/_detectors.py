"""Detectors: components that say how an image or a text was made, with a score.

A detector is a component of the kind ``detector`` (``lanterne.registry``): ``build(config) ->
Detector``. It has a ``name`` and a ``version``, says which inputs it reads (``image``,
``text``), and ``detect(DetectorInput)`` returns a ``Detection`` (a label, a score from 0 to 1,
and the evidence to keep) or ``None`` when it has nothing to say.

The built-in ones are those that read real evidence: ``c2pa`` (the image's signed manifest) and,
from ``lanterne.provenance._registry`` when it is there, the image registry (a near match of a
registered work's image). A statistical detector comes as a plug-in with its own model; none that
only pretends is shipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Protocol

import msgspec

from lanterne.profile import C2paState, CreationLabelValue, LabelEvidence, LabelMethod
from lanterne.registry import Component, Registry

InputKind = Literal["image", "text"]


class DetectorInput(msgspec.Struct, frozen=True, kw_only=True):
    """What a detector is given: an image's bytes or a text (one of them)."""

    image: bytes | None = None
    text: str | None = None
    declared_by: str | None = None
    """Who asked (the organisation whose work it is), kept with the evidence."""


class Detection(msgspec.Struct, frozen=True, kw_only=True):
    """What a detector found: a label, how sure (0–1), and the evidence to keep."""

    label: CreationLabelValue
    score: float
    detector: str
    version: str
    evidence: LabelEvidence


class Detector(Protocol):
    name: str
    version: str
    inputs: frozenset[InputKind]

    def detect(self, item: DetectorInput) -> Detection | None: ...


class C2paDetectorConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``trust``: a c2pa settings file or a PEM of trust anchors (empty: none, Valid at best);
    ``max_bytes``: larger images are not read."""

    trust: str = ""
    max_bytes: int = 50 * 1024 * 1024


class C2paDetector:
    """The C2PA manifest as a detector. It estimates nothing: its label is what a manifest whose
    signature verifies asserts in its actions' digital source types, score 1; how much that
    counts is the manifest's state (Trusted, Valid), which the label's rules weigh. An Invalid
    manifest gives no detection."""

    name = "c2pa"
    inputs: frozenset[InputKind] = frozenset({"image"})

    def __init__(self, config: C2paDetectorConfig) -> None:
        from lanterne.provenance._c2pa import TrustConfig

        self.config = config
        self.trust = TrustConfig.load(Path(config.trust) if config.trust else None)
        self.version = _c2pa_version()

    def detect(self, item: DetectorInput) -> Detection | None:
        from lanterne.provenance._c2pa import verify_bytes

        if item.image is None:
            return None
        result = verify_bytes(item.image, self.trust, max_bytes=self.config.max_bytes)
        evidence = result.evidence(item.declared_by)
        if evidence is None or result.label is None or result.state is C2paState.INVALID:
            return None
        return Detection(
            label=result.label,
            score=1.0,
            detector=self.name,
            version=self.version,
            evidence=msgspec.structs.replace(evidence, score=1.0),
        )


def _c2pa_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return "c2pa-python " + version("c2pa-python")
    except PackageNotFoundError:
        return "c2pa-python"


def detection_evidence(detection: Detection) -> LabelEvidence:
    """The evidence a detection adds to a label (a detector's method unless it read a
    manifest or the registry)."""
    evidence = detection.evidence
    if evidence.method in (LabelMethod.C2PA, LabelMethod.REGISTRY):
        return evidence
    return msgspec.structs.replace(
        evidence,
        method=LabelMethod.DETECTOR,
        identifier=evidence.identifier or f"{detection.detector} {detection.version}",
        score=detection.score,
    )


def register(registry: Registry) -> None:
    """The built-in detectors (``lanterne.registry`` calls this, as a plug-in's hook). The image
    registry's detector is registered by its own module's ``register``, listed beside this one
    in ``lanterne.registry.BUILTINS["detector"]``."""
    registry.add(
        Component(
            kind="detector",
            name="c2pa",
            config=C2paDetectorConfig,
            build=C2paDetector,
            summary=(
                "manifeste C2PA signé de l'image (types de source IPTC)",
                "the image's signed C2PA manifest (IPTC source types)",
            ),
        )
    )
