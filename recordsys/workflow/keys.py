"""Who signs with which key: the signer provider service, and the demo province's test PKI.

Keys of people are looked up by user name, keys of agencies (the seal) by organ code:

- ``workflow.pkcs11_module`` set: a PKCS#11 token (:class:`TokenSigner`); token label from
  ``workflow.pkcs11_token.<name>`` (else ``workflow.pkcs11_token``), key label from
  ``workflow.pkcs11_key.<name>`` (else the name itself), the PIN from the environment variable named
  by ``workflow.pkcs11_pin_env`` (default ``RECORDSYS_PKCS11_PIN``), never from a file;
- otherwise a software key: ``DATA_DIR/signing-keys/{users,agencies}/<name>.{key,cert}.pem`` (with
  ``chain.pem`` beside), then the demo PKI ``DATA_DIR/demo-pki/`` (same layout).

The demo PKI is made for the demo province only (its leaders and agencies), by ``recordsys demo``
or on first use; its root goes into ``DATA_DIR/trust/`` so that this installation, and only it,
trusts the demo signatures.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from zope.interface import Interface, implementer

from recordsys.errors import DomainError
from recordsys.workflow.signers import Signer, SoftwareKeySigner, TokenSigner

DEMO_PKI = "demo-pki"
SIGNING_KEYS = "signing-keys"


class SignerMissing(DomainError):
    code = "signer-missing"
    exit_code = 2


class ISignerProvider(Interface):
    """Maps a person or an agency to its :class:`recordsys.workflow.signers.Signer`."""

    def for_user(username, full_name, title):
        """The signer of a person (their name and title shown in the signature)."""

    def for_agency(code, name):
        """The agency's signer (the electronic seal)."""

    def ensure_demo():
        """Make the demo PKI (demo installations only); the trust anchor file when newly added."""


def _safe(name: str) -> str:
    if not name or any(c in name for c in "/\\\0") or name.startswith("."):
        raise SignerMissing("${name} is not a valid key name.", mapping={"name": f"{name!r}"})
    return name


@implementer(ISignerProvider)
class SignerProvider:
    def __init__(self, settings: dict):
        self.settings = settings

    @property
    def data_dir(self) -> Path:
        return Path(self.settings["recordsys.data_dir"])

    def ensure_demo(self) -> Path | None:
        """Make the demo PKI if missing and trust its root here; the new anchor's file when it was
        added now (callers do this only for an installation seeded by ``recordsys demo``)."""
        return ensure_demo_pki(self.data_dir)

    def for_user(self, username: str, full_name: str, title: str) -> Signer:
        return self._signer("users", username, full_name, title)

    def for_agency(self, code: str, name: str) -> Signer:
        return self._signer("agencies", code, name, "Cơ quan ban hành")

    def _signer(self, kind: str, key: str, name: str, title: str) -> Signer:
        key = _safe(key)
        module = self.settings.get("workflow.pkcs11_module")
        if module:
            pin_env = self.settings.get("workflow.pkcs11_pin_env", "RECORDSYS_PKCS11_PIN")
            pin = os.environ.get(pin_env)
            if not pin:
                raise SignerMissing("The token's PIN is not set: export ${pin_env}.", mapping={"pin_env": pin_env})
            token = self.settings.get(f"workflow.pkcs11_token.{key}") or self.settings.get("workflow.pkcs11_token")
            if not token:
                raise SignerMissing("No token is configured for ${key} (workflow.pkcs11_token.${key}).", mapping={"key": key})
            chain = tuple(p for p in (self.settings.get("workflow.pkcs11_chain") or "").split() if p)
            return TokenSigner(name, title, module=module, token_label=token,
                               key_label=self.settings.get(f"workflow.pkcs11_key.{key}") or key,
                               pin=pin, ca_chain=chain)
        for folder in (self.data_dir / SIGNING_KEYS, self.data_dir / DEMO_PKI):
            signer = _software(folder, kind, key, name, title)
            if signer:
                return signer
        where = self.data_dir / SIGNING_KEYS / kind
        raise SignerMissing(
            "No signing key for ${key}: put ${key}.key.pem and ${key}.cert.pem in ${where}, or configure a token.", mapping={"key": key, "where": where})


def _software(folder: Path, kind: str, key: str, name: str, title: str) -> SoftwareKeySigner | None:
    key_path, cert_path = folder / kind / f"{key}.key.pem", folder / kind / f"{key}.cert.pem"
    if not (key_path.is_file() and cert_path.is_file()):
        return None
    chain = tuple(p for p in (folder / "chain.pem", folder / "root.cert.pem") if p.is_file())[:1]
    return SoftwareKeySigner(name, title, cert_path=cert_path, key_path=key_path, ca_chain=chain)


# the demo PKI ----------------------------------------------------------------------------------
def demo_parties() -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """(username, full name, agency) of the demo leaders, (code, name) of the demo agencies (the ward
    formed by the 2025 merger too)."""
    from recordsys.core.demo import DEMO_ORGS, DEMO_USERS
    from recordsys.dossiers.demo import NEW_WARD

    people = [(u, full, org) for u, full, role, org in DEMO_USERS if role == "leader"]
    return people, [(code, name) for code, name, *_ in (*DEMO_ORGS, NEW_WARD)]


def ensure_demo_pki(data_dir: Path) -> Path | None:
    """Make the demo PKI once (a root, a key and certificate per demo leader and agency) and trust its
    root in this installation only; returns the anchor's file when it was added now, else None.
    Safe to call concurrently: made aside, then renamed."""
    data_dir = Path(data_dir)
    folder = data_dir / DEMO_PKI
    if not (folder / "root.cert.pem").is_file():
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".demo-pki-", dir=data_dir))
        try:
            _make_demo_pki(tmp)
            try:
                tmp.rename(folder)
            except OSError:  # made by another process meanwhile: keep theirs
                pass
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return trust_demo_root(data_dir)


def trust_demo_root(data_dir: Path) -> Path | None:
    """Copy the demo root into ``DATA_DIR/trust/`` under its SHA-256 (as ``recordsys trust add`` does);
    the file when added now, None when it was there already."""
    from asn1crypto import pem

    root = Path(data_dir) / DEMO_PKI / "root.cert.pem"
    data = root.read_bytes()
    der = pem.unarmor(data)[2]
    target = Path(data_dir) / "trust" / f"{hashlib.sha256(der).hexdigest()}.pem"
    if target.exists():
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(f".{target.name}.{os.getpid()}")
    part.write_bytes(data)
    part.replace(target)
    return target


def audit_demo_anchor(session, anchor: Path | None, actor: str = "demo") -> None:
    """Record the demo root's addition to the trust anchors, like ``recordsys trust add``."""
    if anchor is None:
        return
    from recordsys.core import audit

    audit.record(session, actor=actor, action="trust.add", object_type="certificate", object_id=anchor.stem[:64],
                 payload={"subject": "CA thử nghiệm recordsys demo", "source_file": f"{DEMO_PKI}/root.cert.pem",
                          "reason": "demo installation: test signing keys of the demo leaders and agencies"})


def demo_seeded(session, org_code: str) -> bool:
    """Whether this agency was created by ``recordsys demo`` (the audit trail says so): only then are
    missing demo keys made on first use."""
    from sqlalchemy import select

    from recordsys.core.models import AuditEvent

    return session.scalar(select(AuditEvent.id).where(
        AuditEvent.action == "org.create", AuditEvent.actor == "demo",
        AuditEvent.organization_code == org_code).limit(1)) is not None


def _make_demo_pki(folder: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)

    def name(cn, org):
        return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, org[:64]),
                          x509.NameAttribute(NameOID.COMMON_NAME, cn[:64])])

    def write(path: Path, key, cert):
        path.parent.mkdir(parents=True, exist_ok=True)
        if key is not None:
            Path(f"{path}.key.pem").write_bytes(key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
            os.chmod(f"{path}.key.pem", 0o600)
        Path(f"{path}.cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))

    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = name("CA thử nghiệm recordsys demo (không dùng thật)", "recordsys demo")
    usage = {"key_encipherment": False, "data_encipherment": False, "key_agreement": False,
             "encipher_only": False, "decipher_only": False}
    root = (x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name)
            .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_cert_sign=True,
                                         crl_sign=True, **usage), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
            .sign(root_key, hashes.SHA256()))
    write(folder / "root", None, root)

    def leaf(path: Path, cn: str, org: str):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder().subject_name(name(cn, org)).issuer_name(root_name)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1825))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_cert_sign=False,
                                             crl_sign=False, **usage), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
                               critical=False)
                .sign(root_key, hashes.SHA256()))
        write(path, key, cert)

    people, agencies = demo_parties()
    names = dict(agencies)
    for username, full_name, org in people:
        leaf(folder / "users" / username, full_name, names.get(org, org))
    for code, org_name in agencies:
        leaf(folder / "agencies" / code, org_name, org_name)
