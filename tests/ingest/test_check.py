"""`recordsys ingest check`: real pyHanko signatures and real veraPDF, every verdict, bad input."""
import json

import pikepdf
import pytest
from click.testing import CliRunner

from recordsys.cli import main


@pytest.fixture
def check(verapdf_home, pki, tmp_path, monkeypatch):
    monkeypatch.setenv("RECORDSYS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("RECORDSYS_VERAPDF_HOME", str(verapdf_home))

    def run(*files, lang="vi", trust=True):
        args = ["ingest", "check", "--json", "--lang", lang, *map(str, files)]
        if trust:
            args += ["--trust-root", str(pki.root_pem)]
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
        return result.exit_code, lines

    return run


@pytest.mark.parametrize("case,status,accepted", [
    ("valid", "valid", True),
    ("two_signatures", "valid", True),
    ("unsigned", "unsigned", False),
    ("expired", "expired", False),
    ("revoked", "revoked", False),
    ("untrusted", "untrusted", False),
    ("modified", "modified", False),
    ("invalid", "invalid", False),
])
def test_signature_verdicts(check, corpus, case, status, accepted):
    code, [row] = check(getattr(corpus, case))
    assert row["signature"]["status"] == status
    assert row["accepted"] is accepted and code == (0 if accepted else 1)
    assert row["pdfa"] == {"compliant": True, "flavour": "2b", "failed_rules": []}
    assert len(row["sha256"]) == 64 and row["size"] > 0
    assert bool(row["reasons"]) is not accepted


def test_signature_details_and_two_signers(check, corpus):
    _, [row] = check(corpus.two_signatures)
    first, second = row["signature"]["signatures"]
    assert (first["signer"], first["organization"]) == ("Nguyễn Văn An", "UBND tỉnh Khánh Hòa")
    assert second["signer"] == "Trần Thị Bình" and second["status"] == "valid"
    assert first["modification_level"] == "FORM_FILLING"  # the second signature's field, allowed
    assert first["intact"] and first["trusted"] and first["issuer"].startswith("CA phục vụ")
    assert first["signing_time"] and first["serial"] == "64"


def test_reasons_in_both_languages(check, corpus):
    _, [vi] = check(corpus.revoked)
    _, [en] = check(corpus.revoked, lang="en")
    assert vi["reasons"] == ["Chứng thư số của Phạm Văn Dũng đã bị thu hồi."]
    assert en["reasons"] == ["The certificate of Phạm Văn Dũng has been revoked."]


def test_without_the_trust_root_nothing_is_trusted(check, corpus):
    code, [row] = check(corpus.valid, trust=False)
    assert row["signature"]["status"] == "untrusted" and code == 1


def test_non_pdfa_is_refused_with_the_rule(check, corpus):
    code, [row] = check(corpus.not_pdfa)
    assert row["signature"]["status"] == "valid" and not row["accepted"]
    assert row["pdfa"]["compliant"] is False and row["pdfa"]["flavour"] is None
    assert row["reasons"] == ["Tệp không phải định dạng PDF/A."]


def test_pdfa_failures_list_rules(check, corpus, tmp_path):
    broken = tmp_path / "claims-pdfa.pdf"
    with pikepdf.open(corpus.unsigned) as pdf:
        pdf.Root.OutputIntents = pikepdf.Array()  # a PDF/A-2b claim without its output intent
        pdf.save(broken)
    _, [row] = check(broken)
    assert row["pdfa"]["flavour"] == "2b" and row["pdfa"]["compliant"] is False
    rule = row["pdfa"]["failed_rules"][0]
    assert set(rule) >= {"clause", "test_number", "description", "count"} and rule["count"] >= 1


def test_batch_order_and_exit_code(check, corpus):
    files = [corpus.valid, corpus.unsigned, corpus.two_signatures]
    code, rows = check(*files)
    assert [r["file"] for r in rows] == [str(f) for f in files]
    assert [r["accepted"] for r in rows] == [True, False, True] and code == 1


def _bad_inputs(folder, corpus):
    cases = {}
    cases["empty.pdf"] = b""
    cases["not-a-pdf.pdf"] = "Công văn số 15/UBND-VP".encode()
    data = corpus.valid.read_bytes()
    cases["truncated.pdf"] = data[: len(data) // 2]
    cases["bad-xref.pdf"] = data.replace(b"startxref", b"startxrex")
    paths = {}
    for name, content in cases.items():
        paths[name] = folder / name
        paths[name].write_bytes(content)
    encrypted = folder / "encrypted.pdf"
    with pikepdf.open(corpus.unsigned) as pdf:
        pdf.save(encrypted, encryption=pikepdf.Encryption(owner="chu", user="mat-khau"))
    paths["encrypted.pdf"] = encrypted
    bomb = folder / "bomb.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        import zlib

        payload = zlib.compress(b"\0" * (200 * 1024 * 1024), 9)
        stream = pikepdf.Stream(pdf, payload)
        stream.Filter = pikepdf.Name.FlateDecode
        pdf.pages[0].Contents = pdf.make_indirect(stream)
        pdf.save(bomb, compress_streams=False)
    paths["bomb.pdf"] = bomb
    huge = folder / "huge.pdf"
    with open(huge, "wb") as fh:
        fh.write(b"%PDF-1.7\n")
        fh.truncate(300 * 1024 * 1024)  # sparse: 300 MB on paper
    paths["huge.pdf"] = huge
    return paths


def test_bad_input_gets_a_verdict_and_nothing_else_fails(check, corpus, tmp_path):
    paths = _bad_inputs(tmp_path, corpus)
    code, rows = check(*paths.values(), corpus.valid)
    assert code == 1 and len(rows) == len(paths) + 1
    by_name = {r["file"].rsplit("/", 1)[-1]: r for r in rows}
    for name in ("empty.pdf", "not-a-pdf.pdf", "encrypted.pdf", "huge.pdf"):
        assert by_name[name]["signature"]["status"] == "unreadable", name
        assert by_name[name]["reasons"][0].startswith("Không đọc được tệp"), name
    assert "larger than" in by_name["huge.pdf"]["signature"]["error"]
    for name in ("truncated.pdf", "bad-xref.pdf", "bomb.pdf"):
        assert not by_name[name]["accepted"], name
    assert by_name["valid.pdf"]["accepted"]  # a good file in a bad batch still passes


def test_missing_file_is_a_usage_error(check, tmp_path):
    code, rows = check(tmp_path / "khong-co.pdf")
    assert code == 2 and rows == []
