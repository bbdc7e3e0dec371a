"""verify-bag against the Library of Congress BagIt conformance suite, and tampering."""
import json
import os
import shutil
import unicodedata
from pathlib import Path

import bagit
import pytest
from click.testing import CliRunner

from recordsys.preservation.bagcheck import verify_bag
from recordsys.preservation.cli import preservation

SUITE = Path(__file__).resolve().parents[3] / "shared" / "testdata" / "bagit-conformance-suite"
if not SUITE.is_dir():
    SUITE = Path("/work/shared/testdata/bagit-conformance-suite")
BAGS = sorted(p for p in SUITE.glob("v*/*/*") if p.is_dir() and p.parent.name != "windows-only")


def test_the_suite_is_there():
    assert len(BAGS) >= 50, f"conformance suite not found under {SUITE}"


@pytest.mark.parametrize("bag", BAGS, ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}/{p.name}")
def test_conformance_suite(bag, tmp_path):
    copy = tmp_path / bag.name
    shutil.copytree(bag, copy, symlinks=True)
    result = CliRunner().invoke(preservation, ["verify-bag", str(copy), "--json"])
    report = json.loads(result.output)
    kind = bag.parent.name
    if kind == "valid":
        assert report["valid"] and result.exit_code == 0, report["errors"]
    elif kind in ("invalid", "linux-only"):
        assert not report["valid"] and result.exit_code == 1 and report["errors"]
    else:  # warning: invalid, or valid with a warning, never silently valid
        assert (not report["valid"]) or report["warnings"], report
        assert result.exit_code == (0 if report["valid"] else 1)


@pytest.fixture
def bag(tmp_path):
    src = tmp_path / "hs"
    (src / "van-ban").mkdir(parents=True)
    (src / "van-ban" / "15-QĐ-UBND.pdf").write_bytes(b"%PDF-1.7 quyet dinh" * 500)
    (src / "Tờ trình.pdf").write_bytes(b"%PDF-1.7 to trinh" * 300)
    bagit.make_bag(str(src), {"Source-Organization": "UBND tỉnh Khánh Hòa"}, checksums=["sha256", "sha512"])
    return src


def test_good_bag_counts(bag):
    report = verify_bag(bag)
    assert report.valid and report.files == 2 and report.bytes == 19 * 500 + 17 * 300
    assert report.fingerprint and len(report.fingerprint) == 64


@pytest.mark.parametrize("tamper,needle", [
    (lambda b: (b / "data/van-ban/15-QĐ-UBND.pdf").write_bytes(b"%PDF-1.7 QUYET DINH" * 500), "checksum does not match"),
    (lambda b: os.truncate(b / "data/Tờ trình.pdf", 10), "checksum does not match"),
    (lambda b: (b / "data/Tờ trình.pdf").unlink(), "missing from the bag"),
    (lambda b: (b / "data/them.pdf").write_bytes(b"x"), "not listed in manifest"),
    (lambda b: (b / "bag-info.txt").write_text("Source-Organization: khac\n"), "tag file bag-info.txt"),
    (lambda b: os.symlink("/etc/passwd", b / "data/passwd"), "points outside the bag"),
    (lambda b: os.symlink("/etc", b / "data/van-ban/etc"), "points outside the bag"),
    (lambda b: os.symlink("van-ban", b / "data/ban-sao"), "symbolic link to a folder"),
    (lambda b: os.symlink("khong-co.pdf", b / "data/van-ban/mat.pdf"), "symbolic link to nothing"),
    (lambda b: os.mkfifo(b / "data/Tờ trình.pdf") if (b / "data/Tờ trình.pdf").unlink() is None else None,
     "is not a regular file"),
])
def test_tampering_is_detected(bag, tamper, needle):
    tamper(bag)
    report = verify_bag(bag)
    assert not report.valid
    assert any(needle in e for e in report.errors), report.errors


def test_unreadable_file_is_a_clear_error(bag, monkeypatch):
    real_open = open

    def refusing_open(path, *args, **kwargs):
        if str(path).endswith("15-QĐ-UBND.pdf"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", refusing_open)
    report = verify_bag(bag)
    assert not report.valid
    assert report.errors == ("data/van-ban/15-QĐ-UBND.pdf cannot be read: Permission denied",)


def test_escaping_manifest_path_is_refused(bag):
    with open(bag / "manifest-sha256.txt", "a") as fh:
        fh.write("0" * 64 + "  data/../../etc/passwd\n")
    report = verify_bag(bag)
    assert any("escapes the bag" in e for e in report.errors)


def test_normalization_lookalikes_warn(tmp_path):
    src = tmp_path / "hs"
    src.mkdir()
    (src / unicodedata.normalize("NFC", "Quyết định.pdf")).write_bytes(b"a")
    (src / unicodedata.normalize("NFD", "Quyết định.pdf")).write_bytes(b"b")
    bagit.make_bag(str(src), checksums=["sha256"])
    report = verify_bag(src)
    assert report.valid and any("Unicode normalization" in w for w in report.warnings)


def test_usage_errors(tmp_path):
    result = CliRunner().invoke(preservation, ["verify-bag", str(tmp_path / "khong-co")])
    assert result.exit_code == 2
    not_a_bag = CliRunner().invoke(preservation, ["verify-bag", str(tmp_path), "--json"])
    assert not_a_bag.exit_code == 1 and "bagit.txt is missing" in not_a_bag.output


def test_large_file_read_ahead_and_hashed_with_two_algorithms(tmp_path):
    from recordsys.preservation import bagcheck

    src = tmp_path / "lon"
    src.mkdir()
    big = src / "ban-ghi-hop.wav"
    with open(big, "wb") as fh:
        fh.truncate(bagcheck.LARGE + 12345)
        fh.seek(1000)
        fh.write("Biên bản họp".encode())
    bagit.make_bag(str(src), checksums=["sha256", "sha512"])
    assert verify_bag(src).valid
    with open(src / "data" / "ban-ghi-hop.wav", "r+b") as fh:
        fh.seek(bagcheck.LARGE + 12000)
        fh.write(b"\1")
    errors = verify_bag(src).errors
    assert any("sha256 checksum does not match" in e for e in errors)
    assert any("sha512 checksum does not match" in e for e in errors)


def test_large_file_that_fails_to_read_is_an_error_not_a_hang(tmp_path, monkeypatch):
    from recordsys.preservation import bagcheck

    src = tmp_path / "lon"
    src.mkdir()
    with open(src / "video.mp4", "wb") as fh:
        fh.truncate(bagcheck.LARGE + 1)
    bagit.make_bag(str(src), checksums=["sha256"])
    monkeypatch.setattr(bagcheck, "LARGE_CHUNK", 64 << 20)
    real_open = open

    class FailingFile:
        def __init__(self, fh):
            self.fh, self.reads = fh, 0

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def readinto(self, buffer):
            self.reads += 1
            if self.reads == 3:
                raise OSError(5, "Input/output error")
            return self.fh.readinto(buffer)

    def flaky_open(path, *args, **kwargs):
        fh = real_open(path, *args, **kwargs)
        return FailingFile(fh) if str(path).endswith("video.mp4") else fh

    monkeypatch.setattr("builtins.open", flaky_open)
    assert verify_bag(src).errors == ("data/video.mp4 cannot be read: Input/output error",)
