"""XML-DSig: we sign our envelopes; incoming signatures get an honest verdict."""
import datetime as dt
import re
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import CanonicalizationMethod, DigestAlgorithm, SignatureMethod, XMLSigner

from recordsys.exchange.edxml import (
    NAMESPACE,
    read_envelope,
    write_document_envelope,
    write_status_envelope,
)
from recordsys.exchange.signing import (
    SIGNED_INVALID,
    SIGNED_VALID,
    UNSIGNED,
    UNVERIFIABLE,
    sign_envelope,
    verify_envelope,
)
from tests.common.pki import make_pki
from tests.exchange import samples

XSD = Path(__file__).resolve().parents[2] / "metadata" / "edxml" / "edxml.xsd"


@pytest.fixture(scope="module")
def ec_signer(tmp_path_factory):
    """The 'good' signer of the shared test PKI (ECDSA P-256)."""
    party = make_pki(tmp_path_factory.mktemp("pki")).signers["good"]
    return party.key_path.read_bytes(), party.cert_path.read_bytes()


@pytest.fixture(scope="module")
def rsa_signer():
    """A self-signed RSA agency certificate, as most agencies' tokens hold."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ủy ban nhân dân tỉnh Khánh Hòa"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "Văn thư UBND tỉnh Khánh Hòa")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(42).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365)).sign(key, hashes.SHA256()))
    return (key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()),
            cert.public_bytes(serialization.Encoding.PEM))


@pytest.fixture(params=["ec", "rsa"])
def signer(request, ec_signer, rsa_signer):
    return ec_signer if request.param == "ec" else rsa_signer


DOCUMENT = write_document_envelope(samples.document(), now=samples.NOW)


def test_signed_envelope_verifies_and_stays_valid(signer):
    signed = sign_envelope(DOCUMENT, *signer)
    verdict = verify_envelope(signed)
    assert verdict.status == SIGNED_VALID, verdict.reason
    assert "Khánh Hòa" in verdict.signer or "Nguyễn Văn An" in verdict.signer
    assert etree.XMLSchema(etree.parse(str(XSD))).validate(etree.fromstring(signed))
    result = read_envelope(signed)
    assert result.valid and result.envelope == read_envelope(DOCUMENT).envelope
    root = etree.fromstring(signed)
    signature = root.find(f"{{{NAMESPACE}}}edXMLEnvelope/{{{NAMESPACE}}}edXMLHeader/"
                          "{http://www.w3.org/2000/09/xmldsig#}Signature")
    assert signature is not None
    assert signature.find(".//{http://www.w3.org/2000/09/xmldsig#}Reference").get("URI") == ""


def test_status_can_be_signed(ec_signer):
    signed = sign_envelope(write_status_envelope(samples.status()), *ec_signer)
    assert verify_envelope(signed).status == SIGNED_VALID


TAMPERS = {
    "subject": lambda s: s.replace("Đoàn kiểm tra".encode(), "Đoàn thanh tra".encode(), 1),
    "recipient": lambda s: s.replace(b"000.00.12.H41", b"000.00.13.H41", 1),
    "attachment bytes": lambda s: re.sub(rb"<ContentTransferEncoded>J", b"<ContentTransferEncoded>K", s, count=1),
    "signature value": lambda s: re.sub(rb"<ds:SignatureValue>(.)", lambda m: b"<ds:SignatureValue>"
                                        + (b"A" if m.group(1) != b"A" else b"B"), s),
}


@pytest.mark.parametrize("name", TAMPERS)
def test_tampering_is_detected(signer, name):
    signed = sign_envelope(DOCUMENT, *signer)
    tampered = TAMPERS[name](signed)
    assert tampered != signed
    verdict = verify_envelope(tampered)
    assert verdict.status == SIGNED_INVALID, verdict.reason
    assert "thay đổi" in verdict.reason_vi and "changed" in verdict.reason_en


def test_unsigned():
    verdict = verify_envelope(DOCUMENT)
    assert verdict.status == UNSIGNED and verdict.reason_vi and verdict.reason_en


def _with_signature(xml: bytes) -> bytes:
    return DOCUMENT.replace(b"    </edXML:edXMLHeader>", xml + b"\n    </edXML:edXMLHeader>")


PLACEHOLDERS = {
    "sample placeholder": samples.foreign_document(),
    "empty ds:Signature": _with_signature(b'<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>'),
    "empty SignatureValue": _with_signature(
        b'<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo><Reference URI=""/></SignedInfo>'
        b"<SignatureValue>  </SignatureValue></Signature>"),
}


@pytest.mark.parametrize("name", PLACEHOLDERS)
def test_placeholders_are_unverifiable(name):
    verdict = verify_envelope(PLACEHOLDERS[name])
    assert verdict.status == UNVERIFIABLE and "placeholder" in verdict.reason_en


def test_partial_signature_is_unverifiable(ec_signer):
    signed = sign_envelope(DOCUMENT, *ec_signer).replace(b'URI=""', b'URI="#MessageHeader"')
    verdict = verify_envelope(signed)
    assert verdict.status == UNVERIFIABLE and "whole envelope" in verdict.reason_en


def test_signature_without_certificate_is_unverifiable(ec_signer):
    signed = re.sub(rb"<ds:KeyInfo>.*</ds:KeyInfo>", b"", sign_envelope(DOCUMENT, *ec_signer), flags=re.DOTALL)
    assert verify_envelope(signed).status == UNVERIFIABLE


def test_unreadable_input_is_unverifiable():
    verdict = verify_envelope(b"<edXML><unclosed>")
    assert verdict.status == UNVERIFIABLE and "cannot be read" in verdict.reason_en


def _without_dsig_namespace(signed: bytes) -> bytes:
    return signed.replace(b' xmlns:ds="http://www.w3.org/2000/09/xmldsig#"', b"").replace(
        b"<ds:", b"<").replace(b"</ds:", b"</")


def test_signature_written_without_namespace_is_checked(ec_signer):
    moved = _without_dsig_namespace(sign_envelope(DOCUMENT, *ec_signer))
    assert b"xmldsig" not in moved.split(b"<Signature")[1].split(b">")[0]
    assert verify_envelope(moved).status == SIGNED_VALID
    # changed after signing: the honest verdict is that we cannot tell, not that it is forged
    tampered = moved.replace("Đoàn kiểm tra".encode(), "Đoàn thanh tra".encode(), 1)
    assert verify_envelope(tampered).status == UNVERIFIABLE


class _LegacySigner(XMLSigner):
    """A sender still on RSA-SHA1 (as in the public samples); signxml refuses SHA-1 by default."""

    def check_deprecated_methods(self):
        pass


def test_legacy_rsa_sha1_signature_of_the_samples_verifies(rsa_signer):
    key, cert = rsa_signer
    root = etree.fromstring(DOCUMENT)
    header = root.find(f"{{{NAMESPACE}}}edXMLEnvelope/{{{NAMESPACE}}}edXMLHeader")
    etree.SubElement(header, "{http://www.w3.org/2000/09/xmldsig#}Signature", Id="placeholder")
    legacy = _LegacySigner(signature_algorithm=SignatureMethod.RSA_SHA1, digest_algorithm=DigestAlgorithm.SHA1,
                       c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0)
    signed = etree.tostring(legacy.sign(root, key=key, cert=cert.decode()))
    assert b"rsa-sha1" in signed
    assert verify_envelope(signed).status == SIGNED_VALID


def test_large_envelope_signs_and_verifies(ec_signer):
    scan = bytes(range(256)) * 36_000  # 9 MB: its base64 is over libxml2's 10 MB text-node guard
    env = samples.document(attachments=(samples.Attachment("Hồ sơ scan.pdf", "application/pdf", scan),))
    signed = sign_envelope(write_document_envelope(env), *ec_signer)
    assert verify_envelope(signed).status == SIGNED_VALID
    assert read_envelope(signed).attachments[0].data == scan
