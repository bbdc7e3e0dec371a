"""A test PKI: a root and an intermediate CA, signers (good, second, expired, revoked), an
untrusted CA with its own signer, and a CRL of the intermediate listing the revoked signer.

Everything is generated with ``cryptography`` (ECDSA P-256, fast) and written as PEM/DER into a
folder; ``make_pki`` caches the result per folder.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def _name(cn: str, org: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ])


@dataclass
class Party:
    name: str
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate
    key_path: Path = None
    cert_path: Path = None


@dataclass
class Pki:
    folder: Path
    root: Party
    intermediate: Party
    signers: dict[str, Party] = field(default_factory=dict)
    untrusted_root: Party = None
    crl_path: Path = None

    @property
    def root_pem(self) -> Path:
        return self.root.cert_path

    def signer(self, name: str = "good"):
        """A pyHanko SimpleSigner for one of the test signers, with its chain."""
        from pyhanko.sign import signers
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        party = self.signers[name]
        chain = [self.untrusted_root.cert_path] if name == "untrusted" else [
            self.intermediate.cert_path, self.root.cert_path]
        signer = signers.SimpleSigner.load(str(party.key_path), str(party.cert_path),
                                           ca_chain_files=[str(p) for p in chain])
        assert isinstance(signer.cert_registry, SimpleCertificateStore)
        return signer


def _cert(subject, issuer_name, public_key, issuer_key, serial, not_before, not_after, ca: bool,
          path_len=None):
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(issuer_name).public_key(public_key)
        .serial_number(serial).not_valid_before(not_before).not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_len), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False),
            critical=True)
    else:
        # where the CRL is published: the validator checks revocation only for certificates that
        # name a source (offline, it finds the CRL in the PDF's /DSS)
        builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            [x509.UniformResourceIdentifier("http://crl.ca.test.invalid/intermediate.crl")],
            None, None, None)]), critical=False)
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False),
            critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _write(folder: Path, party: Party) -> Party:
    party.key_path = folder / f"{party.name}.key.pem"
    party.cert_path = folder / f"{party.name}.cert.pem"
    party.key_path.write_bytes(party.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    party.cert_path.write_bytes(party.cert.public_bytes(serialization.Encoding.PEM))
    return party


def _ca(folder, name, cn, org, issuer: Party | None, serial, path_len):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name(cn, org)
    cert = _cert(subject, issuer.cert.subject if issuer else subject, key.public_key(),
                 issuer.key if issuer else key, serial, NOW - dt.timedelta(days=3650),
                 NOW + dt.timedelta(days=3650), ca=True, path_len=path_len)
    return _write(folder, Party(name, key, cert))


def _leaf(folder, name, cn, org, issuer: Party, serial, not_before, not_after):
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _cert(_name(cn, org), issuer.cert.subject, key.public_key(), issuer.key, serial,
                 not_before, not_after, ca=False)
    return _write(folder, Party(name, key, cert))


_CACHE: dict[Path, Pki] = {}


def make_pki(folder: Path) -> Pki:
    folder = Path(folder)
    if folder in _CACHE:
        return _CACHE[folder]
    folder.mkdir(parents=True, exist_ok=True)
    root = _ca(folder, "root", "Root CA Chính phủ (thử nghiệm)", "Ban Cơ yếu Chính phủ (thử nghiệm)", None, 1, 1)
    inter = _ca(folder, "intermediate", "CA phục vụ cơ quan nhà nước (thử nghiệm)",
                "Ban Cơ yếu Chính phủ (thử nghiệm)", root, 2, 0)
    pki = Pki(folder, root, inter)
    long_ago, later = NOW - dt.timedelta(days=365), NOW + dt.timedelta(days=730)
    pki.signers["good"] = _leaf(folder, "good", "Nguyễn Văn An", "UBND tỉnh Khánh Hòa", inter, 100, long_ago, later)
    pki.signers["second"] = _leaf(folder, "second", "Trần Thị Bình", "Văn phòng UBND tỉnh Khánh Hòa",
                                  inter, 101, long_ago, later)
    pki.signers["expired"] = _leaf(folder, "expired", "Lê Văn Cường", "Sở Nội vụ tỉnh Khánh Hòa", inter, 102,
                                   NOW - dt.timedelta(days=800), NOW - dt.timedelta(days=30))
    pki.signers["revoked"] = _leaf(folder, "revoked", "Phạm Văn Dũng", "Sở Tài chính tỉnh Khánh Hòa", inter, 103,
                                   long_ago, later)
    pki.untrusted_root = _ca(folder, "untrusted-root", "CA không tin cậy", "Tổ chức lạ", None, 7, 0)
    pki.signers["untrusted"] = _leaf(folder, "untrusted", "Hoàng Văn Em", "Tổ chức lạ", pki.untrusted_root, 700,
                                     long_ago, later)
    revoked_entry = (x509.RevokedCertificateBuilder().serial_number(103)
                     .revocation_date(NOW - dt.timedelta(days=2)).build())
    crl = (x509.CertificateRevocationListBuilder().issuer_name(inter.cert.subject)
           .last_update(NOW - dt.timedelta(days=1)).next_update(NOW + dt.timedelta(days=30))
           .add_revoked_certificate(revoked_entry)
           .add_extension(x509.CRLNumber(1), critical=False)
           .sign(inter.key, hashes.SHA256()))
    pki.crl_path = folder / "intermediate.crl"
    pki.crl_path.write_bytes(crl.public_bytes(serialization.Encoding.DER))
    _CACHE[folder] = pki
    return pki
