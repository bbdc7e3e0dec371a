"""A test PKI, and a real SoftHSM2 with two tokens: the leader's (Nguyễn Văn An) and the agency's
(the seal, Trần Thị Bình's certificate), each holding a key and certificate from the test PKI."""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.common.components import missing

SOFTHSM_MODULES = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")
PIN, SO_PIN = "246810", "13579024"


@dataclass(frozen=True)
class SoftHsm:
    module: str
    conf: Path
    pin: str = PIN
    leader_token: str = "LANH-DAO"
    seal_token: str = "CO-QUAN"



def _run(*args):
    result = subprocess.run(args, check=False, capture_output=True, text=True, timeout=60)
    if result.returncode:
        raise RuntimeError(f"{' '.join(map(str, args[:2]))} failed: {result.stderr or result.stdout}")
    return result.stdout


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory, pki):
    """SoftHSM2 in a throwaway folder (SOFTHSM2_CONF is set for the whole session: the PKCS#11
    module reads it once, when the process first loads it)."""
    from cryptography.hazmat.primitives.serialization import Encoding

    module = next((m for m in SOFTHSM_MODULES if Path(m).exists()), None)
    if module is None or not shutil.which("softhsm2-util") or not shutil.which("pkcs11-tool"):
        missing("SoftHSM2", "apt-get install softhsm2 opensc")
    try:
        import pkcs11  # noqa: F401
    except ImportError:
        missing("python-pkcs11", "pip install 'pyhanko[pkcs11]'")
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    hsm = SoftHsm(module, conf)
    for label, party in ((hsm.leader_token, "good"), (hsm.seal_token, "second")):
        signer = pki.signers[party]
        _run("softhsm2-util", "--init-token", "--free", "--label", label, "--pin", PIN, "--so-pin", SO_PIN)
        _run("softhsm2-util", "--import", str(signer.key_path), "--token", label, "--label", "ky-so",
             "--id", "01", "--pin", PIN)
        der = folder / f"{party}.der"
        der.write_bytes(signer.cert.public_bytes(Encoding.DER))
        _run("pkcs11-tool", "--module", module, "--token-label", label, "--login", "--pin", PIN,
             "--write-object", str(der), "--type", "cert", "--id", "01", "--label", "ky-so")
    yield hsm
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous
