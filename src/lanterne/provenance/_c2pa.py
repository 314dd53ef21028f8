"""C2PA content credentials: read and verify an image's manifest, and sign an image.

With c2pa-python (c2pa-rs underneath). The reader's validation state is one of ``Invalid``,
``Valid`` (signature and hashes sound, signer not trusted) and ``Trusted`` (the signer's
certificate chains to a configured trust anchor). Remote manifests are never fetched, OCSP is
never asked: verification is offline. What an image says of its making is read from the
``digitalSourceType`` of its actions (IPTC codes) and its TDM choice from the
``cawg.training-mining`` assertion.

Every input gives a result, never a traceback: no manifest, an unsupported format, a file too
large, a remote manifest, an asset the library cannot parse (Invalid, with its reason).
"""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

import msgspec

from lanterne.errors import BadInput, InputNotFound
from lanterne.profile import C2paState, CreationLabelValue, LabelEvidence, LabelMethod

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
"""The IPTC Digital Source Type vocabulary, whose codes C2PA actions carry."""

SOURCE_TYPES: dict[str, CreationLabelValue] = {
    # Made by a model trained on sampled content, or purely by an algorithm.
    "trainedAlgorithmicMedia": CreationLabelValue.SYNTHETIC,
    "algorithmicMedia": CreationLabelValue.SYNTHETIC,
    # Human work with a generated part, or enhanced by an algorithm.
    "compositeWithTrainedAlgorithmicMedia": CreationLabelValue.AI_ASSISTED,
    "compositeSynthetic": CreationLabelValue.AI_ASSISTED,
    "algorithmicallyEnhanced": CreationLabelValue.AI_ASSISTED,
    # Captured from the world, or made by a person with non-generative tools.
    "digitalCapture": CreationLabelValue.HUMAN,
    "computationalCapture": CreationLabelValue.HUMAN,
    "negativeFilm": CreationLabelValue.HUMAN,
    "positiveFilm": CreationLabelValue.HUMAN,
    "print": CreationLabelValue.HUMAN,
    "digitalCreation": CreationLabelValue.HUMAN,
    "humanEdits": CreationLabelValue.HUMAN,
    "minorHumanEdits": CreationLabelValue.HUMAN,
    "compositeCapture": CreationLabelValue.HUMAN,
    "composite": CreationLabelValue.HUMAN,
    "screenCapture": CreationLabelValue.HUMAN,
    "virtualRecording": CreationLabelValue.HUMAN,
}
"""IPTC digital source type → creation label (docs/provenance.md); a code not listed here
(``dataDrivenMedia`` …) is shown and gives no label."""

HUMAN_SOURCE_TYPES = tuple(k for k, v in SOURCE_TYPES.items() if v is CreationLabelValue.HUMAN)
"""The codes ``sign`` may assert."""

TDM_CHOICES = ("notAllowed", "allowed", "constrained")
"""CAWG ``use`` values of the training-and-mining assertion."""

TRAINING_MINING = ("cawg.training-mining", "c2pa.training-mining")
TDM_ENTRIES = ("cawg.ai_inference", "cawg.ai_generative_training", "cawg.ai_training")
_DATA_MINING = "cawg.data_mining"

Status = Literal["read", "none", "unsupported", "unreadable", "remote", "too-large"]


class Failure(msgspec.Struct, frozen=True, kw_only=True):
    """A failure code of the validation results, with where it was found."""

    code: str
    explanation: str = ""
    where: str = "activeManifest"
    """``activeManifest`` or ``ingredient N`` (an ingredient's validation deltas)."""


class Action(msgspec.Struct, frozen=True, kw_only=True):
    action: str
    digital_source_type: str | None = None


class C2paResult(msgspec.Struct, kw_only=True):
    """What verifying one image found.

    ``status``: ``read`` (a manifest was read: ``state`` says how it verified), ``none`` (no
    manifest), ``unsupported`` (a format the library does not read), ``unreadable`` (the library
    could not parse it: ``state`` is Invalid, ``reason`` the library's words), ``remote`` (the
    manifest is elsewhere and is not fetched), ``too-large`` (over
    ``LANTERNE_PROVENANCE_IMAGE_MAX``).
    """

    status: Status
    state: C2paState | None = None
    reason: str | None = None
    format: str | None = None
    manifest: str | None = None
    """The active manifest's label: the evidence's identifier."""
    signer: str | None = None
    """The signing certificate's common name."""
    issuer: str | None = None
    """The signing certificate's organisation, as c2pa-rs reports it."""
    signed_at: str | None = None
    algorithm: str | None = None
    failures: list[Failure] = []
    actions: list[Action] = []
    label: CreationLabelValue | None = None
    """From the actions' digital source types: the least human one wins."""
    training_mining: dict[str, str] = {}
    """The training-and-mining entries and their ``use``."""
    tdm_reserved: bool | None = None
    """True when an AI or mining use is ``notAllowed`` or ``constrained``; None without the
    assertion."""
    trusted_anchors: bool = False
    """Whether trust anchors were configured (without them, Trusted cannot be reached)."""

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.failures]

    def evidence(self, declared_by: str | None = None) -> LabelEvidence | None:
        """The label evidence this result gives (``None`` without a manifest that was read)."""
        if self.state is None or self.status not in ("read", "unreadable"):
            return None
        return LabelEvidence(
            value=self.label or CreationLabelValue.UNKNOWN,
            method=LabelMethod.C2PA,
            declared_by=declared_by or self.issuer or self.signer,
            date=_iso(self.signed_at),
            identifier=self.manifest,
            c2pa_state=self.state,
        )


def _iso(value: str | None) -> str | None:
    # c2pa-rs writes « 2023-09-29T17:40:14+00:00 »: the profile's date-time form.
    return value if value and _DATE_TIME.fullmatch(value) else None


_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


class TrustConfig(msgspec.Struct, frozen=True, kw_only=True):
    """The c2pa settings of a verification: trust anchors (PEM) and the rest of a c2pa
    settings file (``trust_config``, ``allowed_list`` …), never remote fetches."""

    settings: dict[str, Any] = {}

    @classmethod
    def load(cls, path: Path | None) -> TrustConfig:
        """From a c2pa settings JSON file (``{"trust": {"trust_anchors": PEM, …}}``) or a PEM
        file of anchor certificates; none: no anchors (Valid at best)."""
        if path is None:
            return cls()
        try:
            text = path.read_text("utf-8")
        except FileNotFoundError:
            raise InputNotFound("input.not_found", path=str(path)) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise BadInput("provenance.bad_trust", path=str(path), detail=str(exc)) from None
        if "-----BEGIN CERTIFICATE-----" in text and not text.lstrip().startswith("{"):
            return cls(settings={"trust": {"trust_anchors": text}})
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BadInput("provenance.bad_trust", path=str(path), detail=str(exc)) from None
        if not isinstance(data, dict) or not isinstance(data.get("trust", {}), dict):
            raise BadInput("provenance.bad_trust", path=str(path), detail="trust")
        return cls(settings=data)

    @property
    def has_anchors(self) -> bool:
        trust = self.settings.get("trust")
        return isinstance(trust, dict) and bool(trust.get("trust_anchors"))

    def c2pa_settings(self) -> dict[str, Any]:
        verify = dict(self.settings.get("verify") or {})
        # Offline, always: a manifest elsewhere is reported, never fetched; no OCSP request.
        verify.update(remote_manifest_fetch=False, ocsp_fetch=False)
        return {**self.settings, "verify": verify}


def _c2pa() -> Any:
    import c2pa  # type: ignore[import-untyped]

    return c2pa


def _context(trust: TrustConfig) -> Any:
    c2pa = _c2pa()
    try:
        return c2pa.Context(c2pa.Settings.from_dict(trust.c2pa_settings()))
    except c2pa.C2paError as exc:
        raise BadInput("provenance.bad_trust", path="settings", detail=str(exc)) from None


def verify_bytes(
    data: bytes, trust: TrustConfig | None = None, *, max_bytes: int | None = None
) -> C2paResult:
    """Read and verify the C2PA manifest of an image given as bytes."""
    trust = trust or TrustConfig()
    anchors = trust.has_anchors
    if max_bytes is not None and len(data) > max_bytes:
        return C2paResult(status="too-large", trusted_anchors=anchors, reason=str(max_bytes))
    c2pa = _c2pa()
    context = _context(trust)
    try:
        reader = c2pa.Reader.try_create(None, io.BytesIO(data), None, context)
    except c2pa.C2paError.NotSupported as exc:
        return C2paResult(status="unsupported", reason=str(exc), trusted_anchors=anchors)
    except c2pa.C2paError as exc:
        message = str(exc)
        if message.startswith(("Remote", "RemoteManifest")):
            return C2paResult(status="remote", reason=message, trusted_anchors=anchors)
        return C2paResult(
            status="unreadable",
            state=C2paState.INVALID,
            reason=message,
            trusted_anchors=anchors,
        )
    if reader is None:
        return C2paResult(status="none", trusted_anchors=anchors)
    with reader:
        try:
            state = reader.get_validation_state()
            results = reader.get_validation_results() or {}
            store = json.loads(reader.json())
        except c2pa.C2paError as exc:
            return C2paResult(
                status="unreadable",
                state=C2paState.INVALID,
                reason=str(exc),
                trusted_anchors=anchors,
            )
    return _result(state, results, store, anchors)


def verify_file(
    path: Path, trust: TrustConfig | None = None, *, max_bytes: int | None = None
) -> C2paResult:
    """``verify_bytes`` of a file; its size is checked before it is read."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputNotFound("input.not_found", path=str(path)) from None
    if max_bytes is not None and size > max_bytes:
        return C2paResult(
            status="too-large",
            trusted_anchors=(trust or TrustConfig()).has_anchors,
            reason=str(max_bytes),
        )
    return verify_bytes(path.read_bytes(), trust, max_bytes=max_bytes)


def _result(
    state: str | None, results: Mapping[str, Any], store: Mapping[str, Any], anchors: bool
) -> C2paResult:
    label = store.get("active_manifest")
    manifest = (store.get("manifests") or {}).get(label) or {}
    signature = manifest.get("signature_info") or {}
    actions = list(_actions(manifest))
    mining = _training_mining(manifest)
    try:
        parsed = C2paState(state) if state else C2paState.INVALID
    except ValueError:
        parsed = C2paState.INVALID
    return C2paResult(
        status="read",
        state=parsed,
        format=manifest.get("format"),
        manifest=label if isinstance(label, str) else None,
        signer=signature.get("common_name"),
        issuer=signature.get("issuer"),
        signed_at=signature.get("time"),
        algorithm=signature.get("alg"),
        failures=list(_failures(results)),
        actions=actions,
        label=_label(actions),
        training_mining=mining,
        tdm_reserved=_reserved(mining),
        trusted_anchors=anchors,
    )


def _failures(results: Mapping[str, Any]) -> Iterator[Failure]:
    # The active manifest's own failures, then each ingredient's (an ingredient with a broken
    # signature makes the whole Invalid while the active manifest lists only « untrusted »).
    for item in (results.get("activeManifest") or {}).get("failure") or []:
        yield Failure(code=str(item.get("code")), explanation=str(item.get("explanation", "")))
    for n, delta in enumerate(results.get("ingredientDeltas") or [], start=1):
        for item in (delta.get("validationDeltas") or {}).get("failure") or []:
            yield Failure(
                code=str(item.get("code")),
                explanation=str(item.get("explanation", "")),
                where=f"ingredient {n}",
            )


def _actions(manifest: Mapping[str, Any]) -> Iterator[Action]:
    for assertion in manifest.get("assertions") or []:
        if str(assertion.get("label", "")).split(".v")[0] != "c2pa.actions":
            continue
        for action in (assertion.get("data") or {}).get("actions") or []:
            source = action.get("digitalSourceType")
            yield Action(
                action=str(action.get("action", "")),
                digital_source_type=source if isinstance(source, str) else None,
            )


def source_type_label(uri: str) -> CreationLabelValue | None:
    """The creation label of an IPTC digital source type (its URI or its bare code)."""
    code = uri.removeprefix(IPTC).rstrip("/")
    return SOURCE_TYPES.get(code)


_CAUTION = (CreationLabelValue.SYNTHETIC, CreationLabelValue.AI_ASSISTED, CreationLabelValue.HUMAN)


def _label(actions: list[Action]) -> CreationLabelValue | None:
    found = {source_type_label(a.digital_source_type) for a in actions if a.digital_source_type}
    for value in _CAUTION:
        if value in found:
            return value
    return None


def _training_mining(manifest: Mapping[str, Any]) -> dict[str, str]:
    for assertion in manifest.get("assertions") or []:
        if assertion.get("label") in TRAINING_MINING:
            entries = (assertion.get("data") or {}).get("entries") or {}
            return {
                str(k): str(v.get("use"))
                for k, v in entries.items()
                if isinstance(v, dict) and v.get("use")
            }
    return {}


def _reserved(entries: Mapping[str, str]) -> bool | None:
    if not entries:
        return None
    return any(use in ("notAllowed", "constrained") for use in entries.values())


# Signing --------------------------------------------------------------------------------------

_OIDS = {
    b"\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01": "ps256",  # rsaEncryption (signed with PSS)
    b"\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0a": "ps256",  # RSASSA-PSS
    b"\x2b\x65\x70": "ed25519",
    b"\x2a\x86\x48\xce\x3d\x03\x01\x07": "es256",  # prime256v1
    b"\x2b\x81\x04\x00\x22": "es384",  # secp384r1
    b"\x2b\x81\x04\x00\x23": "es512",  # secp521r1
}
_EC_PUBLIC_KEY = b"\x2a\x86\x48\xce\x3d\x02\x01"


def key_algorithm(key_pem: str) -> str:
    """The C2PA signing algorithm of a private key in PEM (PKCS #8, SEC 1 or PKCS #1), read from
    the key's own algorithm identifier: RSA → ps256, P-256/384/521 → es256/384/512, Ed25519."""
    if "RSA PRIVATE KEY" in key_pem:
        return "ps256"
    match = re.search(r"-----BEGIN ([A-Z ]*)PRIVATE KEY-----(.+?)-----END", key_pem, re.S)
    if match is None or "ENCRYPTED" in match.group(1):
        raise BadInput("provenance.bad_key")
    try:
        der = base64.b64decode("".join(match.group(2).split()), validate=True)
    except ValueError:
        raise BadInput("provenance.bad_key") from None
    # The key's algorithm is the first object identifier (0x06) of the structure; an EC key's
    # curve is the next one. Scan the identifiers in order.
    position = 0
    while True:
        position = der.find(b"\x06", position)
        if position < 0 or position + 2 > len(der):
            raise BadInput("provenance.bad_key")
        length = der[position + 1]
        oid = der[position + 2 : position + 2 + length]
        position += 2 + length
        if oid == _EC_PUBLIC_KEY:
            continue  # the curve follows
        if oid not in _OIDS:
            raise BadInput("provenance.bad_key")
        return _OIDS[oid]


def sign_file(
    image: Path,
    chain: Path,
    key: Path,
    output: Path,
    *,
    tdm: str | None = None,
    source_type: str = "digitalCapture",
    title: str | None = None,
    author: str | None = None,
    alg: str | None = None,
) -> None:
    """Sign ``image`` into ``output`` with the certificate ``chain`` (PEM, signer first) and its
    private ``key``: a ``c2pa.created`` action asserting a human ``source_type`` (IPTC), and,
    when ``tdm`` is given, a ``cawg.training-mining`` assertion with that use for every AI and
    mining entry. No timestamp authority is asked (offline)."""
    if source_type not in HUMAN_SOURCE_TYPES:
        raise BadInput(
            "provenance.bad_source_type", value=source_type, allowed=", ".join(HUMAN_SOURCE_TYPES)
        )
    if tdm is not None and tdm not in TDM_CHOICES:
        raise BadInput("provenance.bad_tdm", value=tdm, allowed=", ".join(TDM_CHOICES))
    texts = {}
    for name, path in (("image", image), ("chain", chain), ("key", key)):
        if not path.is_file():
            raise InputNotFound("input.not_found", path=str(path))
        if name != "image":
            texts[name] = path.read_text("utf-8", errors="replace")
    assertions: list[dict[str, Any]] = [
        {
            "label": "c2pa.actions",
            "data": {
                "actions": [{"action": "c2pa.created", "digitalSourceType": IPTC + source_type}]
            },
        }
    ]
    if tdm is not None:
        entries = {name: {"use": tdm} for name in (*TDM_ENTRIES, _DATA_MINING)}
        assertions.append({"label": "cawg.training-mining", "data": {"entries": entries}})
    if author:
        assertions.append(
            {
                "label": "stds.schema-org.CreativeWork",
                "data": {
                    "@context": "http://schema.org/",
                    "@type": "CreativeWork",
                    "author": [{"@type": "Organization", "name": author}],
                },
            }
        )
    manifest = {
        "claim_generator_info": [{"name": "Lanterne", "version": _version()}],
        "title": title or image.name,
        "assertions": assertions,
    }
    c2pa = _c2pa()
    algorithm = alg or key_algorithm(texts["key"])
    data = image.read_bytes()
    out = io.BytesIO()
    try:
        info = c2pa.C2paSignerInfo(
            algorithm.encode(), texts["chain"].encode(), texts["key"].encode(), None
        )
        with c2pa.Signer.from_info(info) as signer, c2pa.Builder(manifest) as builder:
            builder.sign(signer, _mime(data), io.BytesIO(data), out)
    except c2pa.C2paError as exc:
        raise BadInput("provenance.sign_failed", path=str(image), detail=str(exc)) from None
    output.write_bytes(out.getvalue())


_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF8", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)


def _mime(data: bytes) -> str:
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    raise BadInput("provenance.unsupported_sign")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("lanterne")
    except PackageNotFoundError:
        return "0"
