"""Session-wide test PKI and signed PDFs for every verdict; veraPDF must be installed."""
import pytest

from recordsys.config import REPO_ROOT
from recordsys.ingest.pdfa import VeraPdf
from tests.common.components import missing
from tests.common.pdfs import Corpus
from tests.common.pki import make_pki


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def corpus(tmp_path_factory, pki):
    return Corpus(tmp_path_factory.mktemp("corpus"), pki)


@pytest.fixture(scope="session")
def verapdf_home():
    home = REPO_ROOT / ".tools" / "verapdf"
    if not VeraPdf(home).available():
        missing("veraPDF", "run scripts/install-verapdf")
    return home
