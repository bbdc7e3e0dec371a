"""The signer provider: software keys from the data dir, the demo PKI made on first use for the
demo's leaders and agencies only (and trusted by this installation only), PKCS#11 tokens by settings."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from recordsys.ingest import signatures
from recordsys.workflow import signers
from recordsys.workflow.convert import ConversionError, declares_pdfa, to_pdfa
from recordsys.workflow.keys import SignerMissing, SignerProvider, ensure_demo_pki
from recordsys.workflow.signers import SoftwareKeySigner, TokenSigner
from tests.common.components import missing
from tests.common.pdfs import plain_pdf


def _settings(tmp_path, **extra):
    return {"recordsys.data_dir": str(tmp_path / "data"), "recordsys.metadata_dir": str(tmp_path / "none"), **extra}


def test_demo_pki_is_made_once_and_trusted_here_only(tmp_path):
    provider = SignerProvider(_settings(tmp_path))
    anchor = provider.ensure_demo()
    assert anchor is not None and provider.ensure_demo() is None
    leader = provider.for_user("lanhdao", "Nguyễn Đình Quang", "Chánh Văn phòng")
    seal = provider.for_agency("000.00.01.H41", "Văn phòng Ủy ban nhân dân tỉnh Khánh Hòa")
    assert isinstance(leader, SoftwareKeySigner) and isinstance(seal, SoftwareKeySigner)
    from recordsys.dossiers.demo import NEW_WARD

    assert isinstance(provider.for_agency(NEW_WARD[0], NEW_WARD[1]), SoftwareKeySigner)  # formed by the merger
    data = tmp_path / "data"
    assert list((data / "trust").glob("*.pem")) == [anchor]
    assert anchor.read_bytes() == (data / "demo-pki" / "root.cert.pem").read_bytes()
    assert ensure_demo_pki(data) is None  # a second call keeps the same PKI
    assert len(list((data / "trust").glob("*.pem"))) == 1

    draft = plain_pdf(tmp_path / "du-thao.pdf")
    signed = signers.sign(draft, tmp_path / "da-ky.pdf", leader)
    issued = signers.certify_issue(signed, "07/QĐ-VP", dt.date(2026, 3, 5), seal, target=tmp_path / "ban-hanh.pdf")
    here = signatures.configured_trust_roots(_settings(tmp_path))
    verdict = signatures.validate(issued.read_bytes(), here)
    assert verdict.status == "valid" and [s.signer for s in verdict.signatures] == [
        "Nguyễn Đình Quang", "Văn phòng Ủy ban nhân dân tỉnh Khánh Hòa"]
    elsewhere = signatures.validate(issued.read_bytes(), [])
    assert elsewhere.status == "untrusted"


def test_keys_outside_the_demo_must_be_installed(tmp_path, pki):
    provider = SignerProvider(_settings(tmp_path))
    with pytest.raises(SignerMissing) as exc:
        provider.for_user("nguyenvanan", "Nguyễn Văn An", "Chủ tịch")
    assert "signing-keys/users" in exc.value.message and "nguyenvanan.key.pem" in exc.value.message
    assert not (tmp_path / "data" / "demo-pki").exists()
    folder = tmp_path / "data" / "signing-keys" / "users"
    folder.mkdir(parents=True)
    shutil.copyfile(pki.signers["good"].key_path, folder / "nguyenvanan.key.pem")
    shutil.copyfile(pki.signers["good"].cert_path, folder / "nguyenvanan.cert.pem")
    signer = provider.for_user("nguyenvanan", "Nguyễn Văn An", "Chủ tịch")
    assert signer.key_path == folder / "nguyenvanan.key.pem"
    with pytest.raises(SignerMissing):
        provider.for_user("../etc", "x", "y")


def test_pkcs11_by_settings_with_the_pin_from_the_environment(tmp_path, monkeypatch, softhsm, pki):
    settings = _settings(tmp_path, **{"workflow.pkcs11_module": softhsm.module,
                                      "workflow.pkcs11_token.lanhdao": softhsm.leader_token,
                                      "workflow.pkcs11_key.lanhdao": "ky-so",
                                      "workflow.pkcs11_token.000.00.01.H41": softhsm.seal_token,
                                      "workflow.pkcs11_key.000.00.01.H41": "ky-so",
                                      "workflow.pkcs11_chain": f"{pki.intermediate.cert_path} {pki.root.cert_path}"})
    provider = SignerProvider(settings)
    monkeypatch.delenv("RECORDSYS_PKCS11_PIN", raising=False)
    with pytest.raises(SignerMissing) as exc:
        provider.for_user("lanhdao", "Nguyễn Đình Quang", "Chánh Văn phòng")
    assert "RECORDSYS_PKCS11_PIN" in exc.value.message
    monkeypatch.setenv("RECORDSYS_PKCS11_PIN", softhsm.pin)
    leader = provider.for_user("lanhdao", "Nguyễn Đình Quang", "Chánh Văn phòng")
    seal = provider.for_agency("000.00.01.H41", "Văn phòng Ủy ban nhân dân tỉnh Khánh Hòa")
    assert isinstance(leader, TokenSigner) and leader.token_label == softhsm.leader_token
    signed = signers.sign(plain_pdf(tmp_path / "du-thao.pdf"), tmp_path / "da-ky.pdf", leader)
    issued = signers.certify_issue(signed, "08/QĐ-VP", dt.date(2026, 3, 5), seal, target=tmp_path / "ban-hanh.pdf")
    verdict = signatures.validate(issued.read_bytes(), signatures.load_trust_roots([pki.root_pem]))
    assert verdict.status == "valid" and len(verdict.signatures) == 2


def test_conversion_to_pdfa(tmp_path):
    plain = plain_pdf(tmp_path / "du-thao.pdf")
    assert not declares_pdfa(plain)
    converted = to_pdfa(plain, tmp_path / "pdfa.pdf")
    assert declares_pdfa(converted)
    kept = to_pdfa(converted, tmp_path / "kept.pdf")
    assert kept.read_bytes() == converted.read_bytes()
    text = tmp_path / "ghi-chu.txt"
    text.write_text("không phải PDF", encoding="utf-8")
    with pytest.raises(ConversionError):
        to_pdfa(text, tmp_path / "x.pdf")


def test_docx_needs_libreoffice(tmp_path, monkeypatch):
    from recordsys.errors import ComponentMissing
    from recordsys.workflow import convert

    monkeypatch.setattr(convert.shutil, "which", lambda name: None)
    docx = tmp_path / "du-thao.docx"
    docx.write_bytes(b"PK\x03\x04")
    with pytest.raises(ComponentMissing) as exc:
        to_pdfa(docx, tmp_path / "x.pdf")
    assert "LibreOffice" in exc.value.message and "LibreOffice" in exc.value.localized("vi")


def make_docx(folder, lines) -> Path:
    """A DOCX written by LibreOffice itself from plain text (skips when LibreOffice is missing)."""
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        missing("LibreOffice", "scripts/install-system installs libreoffice-writer-nogui")  # fails under CI=true
    text = folder / "quyet-dinh.txt"
    text.write_text("\n".join(lines), encoding="utf-8")
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{folder}/lo-profile", "--convert-to",
                    "docx:MS Word 2007 XML", "--outdir", str(folder), str(text)], check=True, capture_output=True,
                   timeout=180)
    return folder / "quyet-dinh.docx"


def test_docx_is_converted_to_pdfa(tmp_path):
    docx = make_docx(tmp_path, ["ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA", "QUYẾT ĐỊNH", "Về việc giao đất tại phường Lộc Thọ"])
    pdf = to_pdfa(docx, tmp_path / "du-thao.pdf")
    assert declares_pdfa(pdf)
    from recordsys.ingest.extract import extract_text

    assert "Lộc Thọ" in extract_text(pdf)


def test_demo_keys_are_made_only_for_an_installation_seeded_by_the_demo(tx, demo, settings):
    from recordsys.core import services as core
    from recordsys.workflow.keys import demo_seeded

    with tx() as s:
        core.create_org(s, code="000.00.51.H41", name="Sở Y tế tỉnh Khánh Hòa", short_name="SYT",
                        level="province", actor="cli")
        assert demo_seeded(s, "000.00.01.H41") and not demo_seeded(s, "000.00.51.H41")


def test_a_pdf_that_only_claims_pdfa_is_converted(tmp_path, verapdf_home):
    import pikepdf

    from recordsys.ingest.services import DocumentChecker
    from recordsys.workflow.services import prepare_pdfa

    source = plain_pdf(tmp_path / "nguon.pdf")
    liar = tmp_path / "tu-nhan-pdfa.pdf"
    with pikepdf.open(source) as pdf:
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["pdfaid:part"], meta["pdfaid:conformance"] = "2", "B"
        pdf.save(liar)
    checker = DocumentChecker({**_settings(tmp_path), "verapdf.home": str(verapdf_home)})
    work = tmp_path / "work"
    work.mkdir()
    pdf = prepare_pdfa(liar, work, checker)
    assert pdf.name == "du-thao-pdfa.pdf"
    [verdict] = checker.check([pdf], "internal")
    assert verdict.pdfa.compliant
