"""Original files to package, shared by the preservation tests."""
import pytest

from recordsys.preservation import bagging


@pytest.fixture
def originals(tmp_path):
    folder = tmp_path / "originals"
    folder.mkdir()
    files = []
    for i, name in enumerate(["15-QĐ-UBND.pdf", "Tờ trình 05-TTr-STNMT.pdf", "Biên bản họp.pdf"]):
        path = folder / name
        path.write_bytes(f"%PDF-1.7 văn bản {i} ".encode() * (1000 + i))
        files.append(bagging.PayloadFile(path, f"originals/{i + 1:04d}-{name}"))
    return files
