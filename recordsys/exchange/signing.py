"""XML-DSig for edXML envelopes: sign ours (enveloped, whole document, C14N 1.0) with the agency's
certificate and key (PEM), and give an honest verdict on incoming signatures.

Verdicts: ``signed-valid`` (the signature is intact under its embedded certificate), ``signed-invalid``
(the envelope or the signature was changed), ``unsigned`` (no Signature), ``unverifiable`` (a
placeholder, an empty or partial signature, or one we cannot check). Trust in the certificate (chain,
revocation) is NOT judged here: the signed PDF inside carries the legal signature.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from lxml import etree
from signxml import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConfiguration,
    SignatureMethod,
    XMLSigner,
    XMLVerifier,
)
from signxml.exceptions import InvalidDigest, InvalidSignature, SignXMLException

from recordsys.exchange.model import DSIG_NAMESPACE, NAMESPACE
from recordsys.exchange.safexml import ReadLimits, own_parser, parse_untrusted

SIGNED_VALID = "signed-valid"
SIGNED_INVALID = "signed-invalid"
UNSIGNED = "unsigned"
UNVERIFIABLE = "unverifiable"
_DS = f"{{{DSIG_NAMESPACE}}}"
#: what real senders use (RSA-SHA1/SHA1 in the samples) and what we use; HMAC needs a shared key
_ACCEPTED = SignatureConfiguration(
    require_x509=False, location=".//", expect_references=1,
    signature_methods=frozenset(m for m in SignatureMethod if "hmac" not in m.value),
    digest_algorithms=frozenset(DigestAlgorithm),
    default_reference_c14n_method=CanonicalizationMethod.CANONICAL_XML_1_0)


@dataclass(frozen=True)
class SignatureVerdict:
    """The verdict on one envelope's XML signature, with the reason in both languages."""

    status: str
    reason_vi: str
    reason_en: str
    signer: str = ""

    @property
    def reason(self) -> str:
        return f"{self.reason_vi} / {self.reason_en}"


def sign_envelope(envelope: bytes, key_pem: bytes, cert_pem: bytes, passphrase: bytes | None = None) -> bytes:
    """``envelope`` (bytes we wrote) with an enveloped signature appended to ``edXMLHeader``.

    RSA keys sign with RSA-SHA256, EC keys with ECDSA-SHA256; digests SHA-256; C14N 1.0; the
    signer's certificate goes into KeyInfo. Raises ``ValueError`` for an envelope without a header.
    """
    key = load_pem_private_key(key_pem, passphrase)
    root = etree.fromstring(envelope, own_parser())
    header = root.find(f"{{{NAMESPACE}}}edXMLEnvelope/{{{NAMESPACE}}}edXMLHeader")
    if header is None:
        raise ValueError("Gói tin không có edXMLHeader nên không ký được. / "
                         "The envelope has no edXMLHeader and cannot be signed.")
    etree.SubElement(header, f"{_DS}Signature", Id="placeholder", nsmap={"ds": DSIG_NAMESPACE})
    signer = XMLSigner(signature_algorithm=_algorithm(key), digest_algorithm=DigestAlgorithm.SHA256,
                       c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0)
    # signxml re-parses the document with its own parser, which refuses text nodes over 10 MB
    # (large attachments); XMLVerifier takes ``parser=``, XMLSigner only this attribute
    signer._parser = own_parser()
    signed = signer.sign(root, key=key, cert=cert_pem.decode("ascii"))
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(signed, encoding="UTF-8")


def _algorithm(key) -> SignatureMethod:
    if isinstance(key, rsa.RSAPrivateKey):
        return SignatureMethod.RSA_SHA256
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return SignatureMethod.ECDSA_SHA256
    raise ValueError("Chỉ hỗ trợ khóa RSA hoặc EC. / Only RSA or EC keys are supported.")


def _verdict(status: str, message: str, mapping: dict | None = None, signer: str = "") -> SignatureVerdict:
    """The verdict is stored with the envelope and read by both sides of an exchange: its reason is
    kept in both languages, both taken from the catalog."""
    from recordsys.i18n import translate

    return SignatureVerdict(status, translate(message, "vi", mapping), translate(message, "en", mapping), signer)


def _signatures(root) -> list:
    """Signature elements in the XML-DSig namespace or, as some senders write them, in none/edXML's."""
    return [el for el in root.iter() if isinstance(el.tag, str) and etree.QName(el).localname == "Signature"
            and etree.QName(el).namespace in (DSIG_NAMESPACE, NAMESPACE, None)]


def _find(sig, name: str):
    return next((el for el in sig.iter() if isinstance(el.tag, str) and etree.QName(el).localname == name), None)


def _certificate(sig) -> x509.Certificate | None:
    node = _find(sig, "X509Certificate")
    text = "".join((node.text or "").split()) if node is not None else ""
    if not text:
        return None
    try:
        pem = "-----BEGIN CERTIFICATE-----\n" + text + "\n-----END CERTIFICATE-----\n"
        return x509.load_pem_x509_certificate(pem.encode("ascii"))
    except ValueError:
        return None


def _placeholder_reason(sig) -> tuple[str] | None:
    value = _find(sig, "SignatureValue")
    if _find(sig, "SignedInfo") is None or value is None or not "".join(value.itertext()).strip():
        return ("The signature is a placeholder (no SignedInfo or SignatureValue).",)
    reference = _find(sig, "Reference")
    if reference is None or reference.get("URI") not in ("", None):
        return ("The signature does not cover the whole envelope (Reference URI is not empty).",)
    return None


def _rebuilt(node, prefix: str | None):
    """``node`` and its subtree renamed into the XML-DSig namespace, declared with ``prefix``."""
    copy_ = etree.Element(f"{_DS}{etree.QName(node).localname}", dict(node.attrib), nsmap={prefix: DSIG_NAMESPACE})
    copy_.text, copy_.tail = node.text, node.tail
    for child in node:
        if isinstance(child.tag, str):
            copy_.append(_rebuilt(child, prefix))
    return copy_


def _into_dsig_namespace(root, prefix: str | None):
    """A copy of ``root`` whose namespace-less Signature is moved into the XML-DSig namespace.

    The signer's prefix is unknown (it shaped the signed SignedInfo), so callers try several.
    """
    clone = copy.deepcopy(root)
    for sig in _signatures(clone):
        sig.getparent().replace(sig, _rebuilt(sig, prefix))
    return etree.fromstring(etree.tostring(clone), own_parser())


def verify_envelope(data: bytes, limits: ReadLimits | None = None) -> SignatureVerdict:
    """The verdict on ``data``'s enveloped signature; never raises for bad input."""
    limits = limits or ReadLimits()
    root, refused = parse_untrusted(data, limits)
    if refused is not None:
        return _verdict(UNVERIFIABLE, "The envelope cannot be read: ${error}", mapping={"error": refused.en, "error_vi": refused.vi})
    signatures = _signatures(root)
    if not signatures:
        return _verdict(UNSIGNED, "The envelope carries no XML signature.")
    if len(signatures) > 1:
        return _verdict(UNVERIFIABLE, "The envelope carries several XML signatures; only one can be checked.")
    sig = signatures[0]
    placeholder = _placeholder_reason(sig)
    if placeholder:
        return _verdict(UNVERIFIABLE, *placeholder)
    cert = _certificate(sig)
    if cert is None:
        return _verdict(UNVERIFIABLE, "The signature carries no readable X.509 certificate.")
    if etree.QName(sig).namespace == DSIG_NAMESPACE:
        return _check(data, cert, outside=False)
    verdicts = [_check(_into_dsig_namespace(root, prefix), cert, outside=True) for prefix in ("ds", None)]
    return next((v for v in verdicts if v.status == SIGNED_VALID), verdicts[0])


def _check(document, cert: x509.Certificate, outside: bool) -> SignatureVerdict:
    signer = cert.subject.rfc4514_string()
    try:
        XMLVerifier().verify(document, x509_cert=cert, expect_config=_ACCEPTED, parser=own_parser())
    except (InvalidDigest, InvalidSignature) as exc:
        if outside:
            return _verdict(UNVERIFIABLE, "The signature is outside the XML-DSig namespace and cannot be checked: ${exc}.", mapping={"exc": exc}, signer=signer)
        return _verdict(SIGNED_INVALID, "The signature is invalid: the envelope or the signature was changed (${exc}).", mapping={"exc": exc}, signer=signer)
    except (SignXMLException, ValueError, TypeError) as exc:
        return _verdict(UNVERIFIABLE, "The signature cannot be checked: ${exc}.", mapping={"exc": exc},
                        signer=signer)
    return _verdict(SIGNED_VALID, "The XML signature is intact (trust in the certificate is not judged here).", signer=signer)
