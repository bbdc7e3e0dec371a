"""Signing and issuing outgoing documents with real keys: a SoftHSM2 token, PEM and PKCS#12 files;
then our own ingest validation (recordsys.ingest.signatures) with the test root trusted."""
from __future__ import annotations

import codecs
import datetime as dt
import io
import logging
import re
from dataclasses import replace

import pytest

from recordsys.ingest import signatures
from recordsys.workflow import signers
from recordsys.workflow.signers import SigningError, SoftwareKeySigner, TokenSigner
from tests.common.pdfs import modify_after_signing, plain_pdf

LEADER = ("Nguyễn Văn An", "Chủ tịch")
SEAL = ("Ủy ban nhân dân tỉnh Khánh Hòa", "Cơ quan ban hành")


@pytest.fixture(autouse=True)
def quiet_pyhanko():
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    logging.getLogger("fontTools").setLevel(logging.CRITICAL)


@pytest.fixture
def draft(tmp_path):
    return plain_pdf(tmp_path / "du-thao.pdf", pages=2)


def _chain(pki):
    return (pki.intermediate.cert_path, pki.root.cert_path)


def _token(softhsm, pki, token=None, pin=None, key="ky-so", name_title=LEADER):
    return TokenSigner(*name_title, module=softhsm.module, token_label=token or softhsm.leader_token,
                       key_label=key, pin=pin or softhsm.pin, ca_chain=_chain(pki))


def _seal(softhsm, pki, **kwargs):
    return _token(softhsm, pki, token=softhsm.seal_token, name_title=SEAL, **kwargs)


def _verdict(pki, path):
    return signatures.validate(path.read_bytes(), signatures.load_trust_roots([pki.root_pem]))


def _widgets(path):
    """Field name -> (page index, rectangle, value, appearance text) of every form field."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(path.read_bytes()))
    pages = [reader.root["/Pages"]["/Kids"][i].get_object() for i in range(int(reader.root["/Pages"]["/Count"]))]
    out = {}
    for ref in reader.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        page = next(i for i, p in enumerate(pages) if any(a.get_object() is field or a.idnum == ref.idnum
                                                           for a in p.get("/Annots", [])))
        value = field.get("/V")
        out[str(field["/T"])] = (page, tuple(float(v) for v in field["/Rect"]),
                                 value if isinstance(value, str) else None, _appearance_text(field))
    return out, tuple(float(v) for v in pages[-1]["/MediaBox"])


def _appearance_text(field) -> str:
    """The /ActualText of every line pyHanko wrote into the widget's appearance (nested XObjects)."""
    texts, todo = [], [field["/AP"]["/N"]] if "/AP" in field else []
    while todo:
        stream = todo.pop().get_object()
        for raw in re.findall(rb"/ActualText \(((?:\\.|[^\\)])*)\)", stream.data, re.DOTALL):
            texts.append(codecs.escape_decode(raw.replace(b"\\(", b"(").replace(b"\\)", b")"))[0].decode("utf-16"))
        xobjects = stream.get("/Resources", {}).get("/XObject", {})
        todo += list(xobjects.values())
    return "\n".join(texts)


def test_token_signatures_of_leader_and_agency_stay_valid_after_issue(tmp_path, draft, pki, softhsm):
    signed = signers.sign(draft, tmp_path / "da-ky.pdf", _token(softhsm, pki),
                          now=dt.datetime(2026, 11, 30, 2, 15, tzinfo=dt.UTC))
    verdict = _verdict(pki, signed)
    assert verdict.status == "valid", verdict
    issued = signers.certify_issue(signed, "15/QĐ-UBND", dt.date(2026, 11, 30), _seal(softhsm, pki),
                                   target=tmp_path / "ban-hanh.pdf", place="Khánh Hòa",
                                   now=dt.datetime(2026, 11, 30, 2, 40, 5, tzinfo=dt.UTC))
    verdict = _verdict(pki, issued)
    assert verdict.status == "valid", verdict
    leader, seal = verdict.signatures
    assert (leader.field, leader.signer, leader.intact, leader.trusted) == ("ChuKyLanhDao", "Nguyễn Văn An", True, True)
    assert leader.modification_level == "FORM_FILLING"  # the number and date, nothing else
    assert (seal.field, seal.signer, seal.intact, seal.trusted, seal.status) == (
        "ChuKyCoQuan", "Trần Thị Bình", True, True, "valid")
    assert seal.coverage == "ENTIRE_FILE"
    assert issued.read_bytes().startswith(signed.read_bytes())  # incremental updates only

    fields, (_, _, width, height) = _widgets(issued)
    assert fields["SoKyHieu"][2] == "Số: 15/QĐ-UBND" and "15/QĐ-UBND" in fields["SoKyHieu"][3]
    assert fields["NgayBanHanh"][2] == "Khánh Hòa, ngày 30 tháng 11 năm 2026"
    page, (x0, _, x1, y1), _, text = fields["ChuKyLanhDao"]
    assert page == 1 and x0 > width / 2 and y1 < height / 3  # bottom right of the last page
    assert "Nguyễn Văn An" in text and "Chủ tịch" in text and "2026-11-30T09:15:00+07:00" in text
    seal_page, (s0, _, s1, _), _, seal_text = fields["ChuKyCoQuan"]
    assert seal_page == 1 and s0 < x0 < s1 < x0 + (x1 - x0) / 2  # overlaps the left third of the signature
    assert SEAL[0] in seal_text and "2026-11-30T09:40:05+07:00" in seal_text


def test_a_change_of_content_after_the_leader_signed_is_detected(tmp_path, draft, pki):
    key = pki.signers["good"]
    signed = signers.sign(draft, tmp_path / "da-ky.pdf",
                          SoftwareKeySigner(*LEADER, cert_path=key.cert_path, key_path=key.key_path, ca_chain=_chain(pki)))
    changed = modify_after_signing(signed, tmp_path / "sua.pdf")
    assert _verdict(pki, changed).status == "modified"


def test_software_keys_pem_and_pkcs12(tmp_path, draft, pki):
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    good, second = pki.signers["good"], pki.signers["second"]
    p12 = tmp_path / "co-quan.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(b"co-quan", second.key, second.cert, None,
                                                          BestAvailableEncryption(b"mat-khau")))
    leader = SoftwareKeySigner(*LEADER, cert_path=good.cert_path, key_path=good.key_path, ca_chain=_chain(pki))
    seal = SoftwareKeySigner(*SEAL, pkcs12_path=p12, passphrase=b"mat-khau", ca_chain=_chain(pki))
    signed = signers.sign(draft, tmp_path / "da-ky.pdf", leader)
    issued = signers.certify_issue(signed, "120/UBND-VP", dt.date(2026, 1, 5), seal)
    assert issued == signed  # in place by default
    verdict = _verdict(pki, issued)
    assert verdict.status == "valid" and [s.signer for s in verdict.signatures] == ["Nguyễn Văn An", "Trần Thị Bình"]


def _no_partial_files(folder):
    return not [p.name for p in folder.iterdir() if p.name.endswith(".part")]


@pytest.mark.parametrize("case, fragment", [
    ("wrong pin", "PIN is wrong"),
    ("missing token", "was not found"),
    ("missing key", "no key or certificate"),
    ("missing module", "PKCS#11 module"),
    ("token refuses the mechanism", "refused to sign"),  # SoftHSM has no CKM_ECDSA_SHA256
])
def test_token_problems_are_sentences_and_leave_no_file(tmp_path, draft, pki, softhsm, case, fragment):
    signer = {
        "wrong pin": lambda: _token(softhsm, pki, pin="000000"),
        "missing token": lambda: _token(softhsm, pki, token="TOKEN-CHUA-CAM"),
        "missing key": lambda: _token(softhsm, pki, key="khong-co"),
        "token refuses the mechanism": lambda: replace(_token(softhsm, pki), raw_mechanism=False),
        "missing module": lambda: TokenSigner(*LEADER, module=str(tmp_path / "khong-co.so"), token_label="X",
                                              key_label="ky-so", pin="1"),
    }[case]()
    with pytest.raises(SigningError) as info:
        signers.sign(draft, tmp_path / "da-ky.pdf", signer)
    assert fragment in info.value.en and info.value.vi
    assert not (tmp_path / "da-ky.pdf").exists() and _no_partial_files(tmp_path)


def test_issue_with_a_wrong_pin_leaves_the_signed_file_untouched(tmp_path, draft, pki, softhsm):
    signed = signers.sign(draft, tmp_path / "da-ky.pdf", _token(softhsm, pki))
    before = signed.read_bytes()
    with pytest.raises(SigningError, match="PIN"):
        signers.certify_issue(signed, "15/QĐ-UBND", dt.date(2026, 11, 30), _seal(softhsm, pki, pin="999999"))
    assert signed.read_bytes() == before and _no_partial_files(tmp_path)
    assert _verdict(pki, signed).status == "valid"


def test_wrong_passphrase_of_a_pkcs12_file(tmp_path, draft, pki):
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    good = pki.signers["good"]
    p12 = tmp_path / "lanh-dao.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(b"x", good.key, good.cert, None,
                                                          BestAvailableEncryption(b"dung")))
    with pytest.raises(SigningError, match="passphrase"):
        signers.sign(draft, tmp_path / "da-ky.pdf", SoftwareKeySigner(*LEADER, pkcs12_path=p12, passphrase=b"sai"))
    assert not (tmp_path / "da-ky.pdf").exists() and _no_partial_files(tmp_path)


def test_issue_needs_the_leaders_signature_with_issue_fields(tmp_path, draft, pki):
    good, second = pki.signers["good"], pki.signers["second"]
    seal = SoftwareKeySigner(*SEAL, cert_path=second.cert_path, key_path=second.key_path)
    with pytest.raises(SigningError, match="competent person"):
        signers.certify_issue(draft, "15/QĐ-UBND", dt.date(2026, 11, 30), seal, target=tmp_path / "x.pdf")
    plain = signers.sign(draft, tmp_path / "duyet.pdf", SoftwareKeySigner(
        *LEADER, cert_path=good.cert_path, key_path=good.key_path), issue_fields=False)
    with pytest.raises(SigningError, match="issue fields"):
        signers.certify_issue(plain, "15/QĐ-UBND", dt.date(2026, 11, 30), seal, target=tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize("media_box", [(0, 0, 595.28, 841.89), (0, 0, 841.89, 595.28), (0, 0, 612, 792)])
def test_signature_box_is_bottom_right_and_seal_overlaps_its_left_third(media_box):
    x0, y0, x1, y1 = signers.signature_box(media_box)
    assert media_box[2] - x1 == pytest.approx(signers.SIGNATURE_MARGINS[0], abs=1) and y0 < media_box[3] / 4
    s0, _, s1, _ = signers.seal_box((x0, y0, x1, y1))
    assert s0 < x0 and s1 - x0 == pytest.approx((x1 - x0) / 3, abs=1)


def test_renumbering_after_issue_breaks_the_seal(tmp_path, draft, pki):
    good, second = pki.signers["good"], pki.signers["second"]
    signed = signers.sign(draft, tmp_path / "da-ky.pdf", SoftwareKeySigner(
        *LEADER, cert_path=good.cert_path, key_path=good.key_path, ca_chain=_chain(pki)))
    issued = signers.certify_issue(signed, "15/QĐ-UBND", dt.date(2026, 11, 30), SoftwareKeySigner(
        *SEAL, cert_path=second.cert_path, key_path=second.key_path, ca_chain=_chain(pki)))
    renumbered = tmp_path / "sua-so.pdf"
    renumbered.write_bytes(signers._fill_issue_fields(issued.read_bytes(), {signers.NUMBER_FIELD: "Số: 99/QĐ-UBND"}))
    verdict = _verdict(pki, renumbered)
    assert verdict.status == "modified"
    assert [s.status for s in verdict.signatures] == ["valid", "modified"]  # the seal locked the number


def test_a_locked_token_is_a_sentence(tmp_path, draft, monkeypatch):
    """SoftHSM does not lock after wrong PINs: the token's answer is simulated."""
    import pkcs11
    from pyhanko.sign import pkcs11 as hanko_pkcs11

    def locked(*args, **kwargs):
        raise pkcs11.exceptions.PinLocked()

    monkeypatch.setattr(hanko_pkcs11, "open_pkcs11_session", locked)
    module = tmp_path / "token.so"
    module.write_bytes(b"")
    with pytest.raises(SigningError, match="locked") as info:
        signers.sign(draft, tmp_path / "da-ky.pdf", TokenSigner(*LEADER, module=str(module), token_label="VNPT-CA",
                                                                key_label="ky-so", pin="123456"))
    assert "khóa" in info.value.vi and not (tmp_path / "da-ky.pdf").exists()


def _has_image(field) -> bool:
    todo = [field["/AP"]["/N"]]
    while todo:
        stream = todo.pop().get_object()
        if stream.get("/Subtype") == "/Image":
            return True
        todo += list(stream.get("/Resources", {}).get("/XObject", {}).values())
    return False


def test_signature_and_seal_images_in_the_appearances(tmp_path, draft, pki):
    from PIL import Image, ImageDraw
    from pyhanko.pdf_utils.reader import PdfFileReader

    signature, seal_image = tmp_path / "chu-ky.png", tmp_path / "con-dau.png"
    image = Image.new("RGB", (240, 100), "white")
    ImageDraw.Draw(image).line([(10, 70), (60, 20), (110, 80), (170, 25), (230, 60)], fill=(0, 0, 120), width=5)
    image.save(signature)
    image = Image.new("RGB", (120, 120), "white")
    ImageDraw.Draw(image).ellipse((5, 5, 115, 115), outline=(220, 0, 0), width=6)
    image.save(seal_image)
    good, second = pki.signers["good"], pki.signers["second"]
    leader = SoftwareKeySigner(*LEADER, cert_path=good.cert_path, key_path=good.key_path, ca_chain=_chain(pki),
                               image=signature)
    seal = SoftwareKeySigner(*SEAL, cert_path=second.cert_path, key_path=second.key_path, ca_chain=_chain(pki),
                             image=seal_image)
    issued = signers.certify_issue(signers.sign(draft, tmp_path / "da-ky.pdf", leader), "16/QĐ-UBND",
                                   dt.date(2026, 12, 1), seal)
    assert _verdict(pki, issued).status == "valid"
    reader = PdfFileReader(io.BytesIO(issued.read_bytes()))
    by_name = {str(f.get_object()["/T"]): f.get_object() for f in reader.root["/AcroForm"]["/Fields"]}
    assert _has_image(by_name["ChuKyLanhDao"]) and _has_image(by_name["ChuKyCoQuan"])
    annots = [a.get_object().get("/T") for a in reader.root["/Pages"]["/Kids"][-1].get_object()["/Annots"]]
    assert annots.index("ChuKyCoQuan") > annots.index("ChuKyLanhDao")  # the seal is drawn over the signature


def test_signing_twice_or_with_a_missing_image_is_refused(tmp_path, draft, pki):
    good = pki.signers["good"]
    leader = SoftwareKeySigner(*LEADER, cert_path=good.cert_path, key_path=good.key_path, ca_chain=_chain(pki))
    signed = signers.sign(draft, tmp_path / "da-ky.pdf", leader)
    with pytest.raises(SigningError, match="already signed"):
        signers.sign(signed, tmp_path / "lan-hai.pdf", leader)
    with pytest.raises(SigningError, match="signature image"):
        signers.sign(draft, tmp_path / "anh.pdf", replace(leader, image=tmp_path / "khong-co.png"))
    assert not (tmp_path / "lan-hai.pdf").exists() and not (tmp_path / "anh.pdf").exists()
