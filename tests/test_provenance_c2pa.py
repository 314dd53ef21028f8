"""C2PA verification and signing on real images: c2pa-python's own fixtures (../shared/standards/
c2pa: valid with an AI source type, trusted with the test trust settings, tampered pixels, a
broken claim signature, an ingredient's broken signature, no manifest, a remote manifest) and an
image Lanterne signs here with a certificate authority made by the test."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from helpers import lanterne
from lanterne.errors import BadInput, ExitCode
from lanterne.profile import C2paState, CreationLabelValue, LabelMethod
from lanterne.provenance import (
    TrustConfig,
    decide,
    key_algorithm,
    sign_file,
    source_type_label,
    verify_bytes,
    verify_file,
)

C2PA = Path(__file__).resolve().parents[2] / "shared" / "standards" / "c2pa"
FIXTURES = C2PA / "fixtures"
READING = FIXTURES / "files-for-reading-tests"
TRUST = C2PA / "trust_config_test_settings.json"

pytestmark = pytest.mark.skipif(
    not TRUST.is_file(), reason=f"the C2PA fixtures are not at {C2PA} (../shared/standards/c2pa)"
)


@pytest.fixture(scope="module")
def trust() -> TrustConfig:
    return TrustConfig.load(TRUST)


def test_an_ai_image_signed_by_an_untrusted_signer_is_valid_and_synthetic() -> None:
    result = verify_file(FIXTURES / "C.jpg")
    assert result.status == "read" and result.state is C2paState.VALID
    assert result.codes == ["signingCredential.untrusted"]
    assert result.signer == "C2PA Signer" and result.issuer == "C2PA Test Signing Cert"
    assert [a.digital_source_type for a in result.actions] == [
        "http://cv.iptc.org/newscodes/digitalsourcetype/algorithmicMedia"
    ]
    assert result.label is CreationLabelValue.SYNTHETIC
    evidence = result.evidence()
    assert evidence is not None and evidence.method is LabelMethod.C2PA
    assert evidence.identifier == "contentauth:urn:uuid:c85a2b90-f1a0-4aa4-b17f-f938b475804e"
    assert evidence.date == "2023-09-29T17:40:14+00:00"


def test_the_test_trust_settings_make_the_signer_trusted(trust: TrustConfig) -> None:
    for image in (FIXTURES / "C.jpg", READING / "CA.jpg"):
        result = verify_file(image, trust)
        assert result.state is C2paState.TRUSTED, image.name
        assert result.codes == [], image.name
    assert verify_file(READING / "CA.jpg").state is C2paState.VALID


def test_tampered_pixels_are_a_data_hash_mismatch(trust: TrustConfig) -> None:
    result = verify_file(READING / "XCA.jpg", trust)
    assert result.state is C2paState.INVALID
    assert result.codes == ["assertion.dataHash.mismatch"]


def test_a_broken_claim_signature_is_invalid() -> None:
    result = verify_file(READING / "E-sig-CA.jpg")
    assert result.state is C2paState.INVALID
    assert "claimSignature.mismatch" in result.codes


def test_an_ingredient_with_a_broken_signature_is_shown_where_it_is(trust: TrustConfig) -> None:
    # The active manifest lists only « untrusted »: the mismatch sits in an ingredient's deltas.
    result = verify_file(READING / "CIE-sig-CA.jpg", trust)
    assert result.state is C2paState.INVALID
    assert [(f.code, f.where) for f in result.failures] == [
        ("claimSignature.mismatch", "ingredient 1")
    ]


def test_no_manifest_gives_no_evidence() -> None:
    result = verify_file(FIXTURES / "A.jpg")
    assert result.status == "none" and result.state is None and result.evidence() is None


def test_a_remote_manifest_is_never_fetched() -> None:
    result = verify_file(READING / "cloud.jpg")
    assert result.status == "remote" and result.state is None
    assert result.reason is not None and "cai-manifests.adobe.com" in result.reason


def test_bad_input_gives_a_result_never_a_traceback(tmp_path: Path) -> None:
    data = (FIXTURES / "C.jpg").read_bytes()
    assert verify_bytes(b"ceci n'est pas une image").status == "unsupported"
    assert verify_bytes(b"").status == "unsupported"
    truncated = verify_bytes(data[:5000])
    assert truncated.status == "unreadable" and truncated.state is C2paState.INVALID
    assert truncated.reason and "JPEG" in truncated.reason
    assert verify_bytes(data, max_bytes=len(data) - 1).status == "too-large"
    big = tmp_path / "big.jpg"
    big.write_bytes(data)
    assert verify_file(big, max_bytes=100).status == "too-large"


def test_a_flipped_byte_of_an_ai_image_is_a_data_hash_mismatch(tmp_path: Path) -> None:
    data = bytearray((FIXTURES / "C.jpg").read_bytes())
    data[-2000] ^= 0xFF
    result = verify_bytes(bytes(data))
    assert result.state is C2paState.INVALID
    assert "assertion.dataHash.mismatch" in result.codes


def test_the_labels_of_the_fixtures() -> None:
    # An Invalid manifest is shown and never decides: the label is unknown.
    labels = {}
    for name, image in [
        ("C", FIXTURES / "C.jpg"),
        ("XCA", READING / "XCA.jpg"),
        ("CIE", READING / "CIE-sig-CA.jpg"),
    ]:
        evidence = verify_file(image).evidence()
        assert evidence is not None
        label = decide([evidence])
        assert label is not None
        labels[name] = label.value
    assert labels == {
        "C": CreationLabelValue.SYNTHETIC,
        "XCA": CreationLabelValue.UNKNOWN,
        "CIE": CreationLabelValue.UNKNOWN,
    }


def test_iptc_source_types() -> None:
    iptc = "http://cv.iptc.org/newscodes/digitalsourcetype/"
    assert source_type_label(iptc + "trainedAlgorithmicMedia") is CreationLabelValue.SYNTHETIC
    assert (
        source_type_label(iptc + "compositeWithTrainedAlgorithmicMedia")
        is CreationLabelValue.AI_ASSISTED
    )
    assert source_type_label(iptc + "digitalCapture") is CreationLabelValue.HUMAN
    assert source_type_label("digitalCreation") is CreationLabelValue.HUMAN
    assert source_type_label(iptc + "dataDrivenMedia") is None


# Signing ---------------------------------------------------------------------------------------


def _pem(cert: object) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    assert isinstance(cert, x509.Certificate)
    return cert.public_bytes(serialization.Encoding.PEM).decode()


@pytest.fixture(scope="module")
def test_ca(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A root CA and a signing certificate issued by it (ES256), made here with cryptography."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)

    def name(common: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, common),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Musée des essais"),
            ]
        )

    def usage(*, ca: bool) -> x509.KeyUsage:
        return x509.KeyUsage(
            digital_signature=True,
            content_commitment=False,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=ca,
            crl_sign=ca,
            encipher_only=False,
            decipher_only=False,
        )

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("Racine des essais"))
        .issuer_name(name("Racine des essais"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage(ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(name("Signataire du musée"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage(ca=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("ca")
    paths = {"chain": folder / "chain.pem", "key": folder / "key.pem", "ca": folder / "ca.pem"}
    paths["chain"].write_text(_pem(leaf) + _pem(ca))
    paths["key"].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    paths["ca"].write_text(_pem(ca))
    return paths


def test_an_image_signed_by_lanterne_is_trusted_with_its_ca_and_invalid_once_changed(
    tmp_path: Path, test_ca: dict[str, Path]
) -> None:
    signed = tmp_path / "signed.jpg"
    sign_file(FIXTURES / "A.jpg", test_ca["chain"], test_ca["key"], signed, tdm="notAllowed")
    anchors = TrustConfig.load(test_ca["ca"])
    result = verify_file(signed, anchors)
    assert result.state is C2paState.TRUSTED and result.codes == []
    assert result.signer == "Signataire du musée" and result.issuer == "Musée des essais"
    assert result.label is CreationLabelValue.HUMAN
    assert [a.digital_source_type for a in result.actions] == [
        "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"
    ]
    assert result.tdm_reserved is True
    assert set(result.training_mining.values()) == {"notAllowed"}
    assert "cawg.ai_generative_training" in result.training_mining
    # Without the anchor, the same signature is sound but its signer unknown.
    assert verify_file(signed).state is C2paState.VALID
    data = bytearray(signed.read_bytes())
    data[-2000] ^= 0x01
    changed = verify_bytes(bytes(data), anchors)
    assert changed.state is C2paState.INVALID
    assert "assertion.dataHash.mismatch" in changed.codes


def test_a_tdm_choice_allowed_is_no_reservation(tmp_path: Path, test_ca: dict[str, Path]) -> None:
    signed = tmp_path / "allowed.jpg"
    sign_file(FIXTURES / "A.jpg", test_ca["chain"], test_ca["key"], signed, tdm="allowed")
    assert verify_file(signed).tdm_reserved is False
    unsaid = tmp_path / "unsaid.jpg"
    sign_file(FIXTURES / "A.jpg", test_ca["chain"], test_ca["key"], unsaid)
    assert verify_file(unsaid).tdm_reserved is None


def test_signing_refuses_a_synthetic_source_type_and_a_non_image(
    tmp_path: Path, test_ca: dict[str, Path]
) -> None:
    with pytest.raises(BadInput, match="trainedAlgorithmicMedia"):
        sign_file(
            FIXTURES / "A.jpg",
            test_ca["chain"],
            test_ca["key"],
            tmp_path / "x.jpg",
            source_type="trainedAlgorithmicMedia",
        )
    text = tmp_path / "note.txt"
    text.write_text("pas une image")
    with pytest.raises(BadInput):
        sign_file(text, test_ca["chain"], test_ca["key"], tmp_path / "x.jpg")
    # A key that does not go with the chain is refused with the library's reason.
    with pytest.raises(BadInput):
        sign_file(
            FIXTURES / "A.jpg", test_ca["chain"], FIXTURES / "es256_private.key", tmp_path / "x.jpg"
        )


def test_the_key_algorithm_is_read_from_the_key() -> None:
    assert key_algorithm((FIXTURES / "ps256.pem").read_text()) == "ps256"
    assert key_algorithm((FIXTURES / "es256_private.key").read_text()) == "es256"
    assert key_algorithm((FIXTURES / "ed25519.pem").read_text()) == "ed25519"
    with pytest.raises(BadInput):
        key_algorithm("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")


# Command line ----------------------------------------------------------------------------------


def test_cli_verify_says_the_state_and_exits_on_invalid(tmp_path: Path) -> None:
    done = lanterne(tmp_path, "provenance", "verify", str(FIXTURES / "C.jpg"))
    assert done.returncode == 0, done.stderr
    assert "Valid" in done.stdout and "signingCredential.untrusted" in done.stdout
    assert "contenu généré par IA" in done.stdout
    trusted = lanterne(
        tmp_path, "provenance", "verify", str(FIXTURES / "C.jpg"), "--trust", str(TRUST), "--json"
    )
    data = json.loads(trusted.stdout)
    assert data["state"] == "Trusted" and data["label"] == "synthetic"
    assert data["evidence"]["c2pa_state"] == "Trusted"
    bad = lanterne(tmp_path, "--lang", "en", "provenance", "verify", str(READING / "XCA.jpg"))
    assert bad.returncode == ExitCode.BAD_INPUT
    assert "assertion.dataHash.mismatch" in bad.stdout and "Traceback" not in bad.stderr
    remote = lanterne(tmp_path, "provenance", "verify", str(READING / "cloud.jpg"))
    assert remote.returncode == ExitCode.BAD_INPUT and "Traceback" not in remote.stderr
    small = lanterne(
        tmp_path,
        "provenance",
        "verify",
        str(FIXTURES / "C.jpg"),
        LANTERNE_PROVENANCE_IMAGE_MAX="1000",
    )
    assert small.returncode == ExitCode.BAD_INPUT and "1000" in small.stdout


def test_cli_sign_then_verify(tmp_path: Path, test_ca: dict[str, Path]) -> None:
    out = tmp_path / "signe.jpg"
    done = lanterne(
        tmp_path,
        "provenance",
        "sign",
        str(FIXTURES / "A.jpg"),
        "--cert",
        str(test_ca["chain"]),
        "--key",
        str(test_ca["key"]),
        "--tdm",
        "notAllowed",
        "-o",
        str(out),
        "--trust",
        str(test_ca["ca"]),
    )
    assert done.returncode == 0, done.stderr
    assert "Trusted" in done.stdout and "réservée" in done.stdout
    checked = lanterne(
        tmp_path, "provenance", "verify", str(out), "--json", LANTERNE_C2PA_TRUST=str(test_ca["ca"])
    )
    assert json.loads(checked.stdout)["state"] == "Trusted"
