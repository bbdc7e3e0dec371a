"""The acceptance policy, table-driven (pure function)."""
import pytest

from recordsys.ingest.pdfa import NOT_DECLARED, FailedRule, PdfaVerdict
from recordsys.ingest.policy import AcceptancePolicy, decide
from recordsys.ingest.signatures import SignatureInfo, SignatureVerdict

OK_PDFA = PdfaVerdict(True, "2b")
BAD_PDFA = PdfaVerdict(False, "2b", (FailedRule("6.2.2", 1, "OutputIntent", 1),))


def sig(*statuses):
    infos = tuple(SignatureInfo("S", f"Người ký {i}", "UBND", None, None, "1", True, s == "valid", s, None, None)
                  for i, s in enumerate(statuses))
    worst = "unsigned" if not statuses else sorted(statuses, key=lambda s: s != "valid")[-1]
    return SignatureVerdict(worst, infos)


@pytest.mark.parametrize("signature,pdfa,policy,direction,accepted,codes,flags", [
    (sig("valid"), OK_PDFA, AcceptancePolicy(), "incoming", True, [], []),
    (sig("valid", "valid"), OK_PDFA, AcceptancePolicy(), "incoming", True, [], []),
    (sig("valid", "revoked"), OK_PDFA, AcceptancePolicy(), "incoming", False, ["signature_revoked"], []),
    (sig(), OK_PDFA, AcceptancePolicy(), "incoming", False, ["unsigned"], []),
    (sig(), OK_PDFA, AcceptancePolicy(allow_unsigned_internal=True), "incoming", False, ["unsigned"], []),
    (sig(), OK_PDFA, AcceptancePolicy(allow_unsigned_internal=True), "internal", True, [],
     ["unsigned_internal_scan"]),
    (sig("valid"), BAD_PDFA, AcceptancePolicy(), "incoming", False, ["pdfa_failed"], []),
    (sig("valid"), NOT_DECLARED, AcceptancePolicy(), "incoming", False, ["pdfa_not_declared"], []),
    (sig("valid"), BAD_PDFA, AcceptancePolicy(allow_non_pdfa=True), "incoming", True, [],
     ["must_convert_before_archiving"]),
    (SignatureVerdict("unreadable", error="encrypted"), None, AcceptancePolicy(allow_non_pdfa=True), "incoming",
     False, ["unreadable"], []),
])
def test_decide(signature, pdfa, policy, direction, accepted, codes, flags):
    decision = decide(signature, pdfa, policy, direction)
    assert decision.accepted is accepted
    assert [r.code for r in decision.reasons] == codes
    assert list(decision.flags) == flags
