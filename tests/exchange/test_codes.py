import pytest

from recordsys.exchange import codes
from recordsys.exchange.codes import BusinessDocType, StatusCode


@pytest.mark.parametrize("value, expected", [
    ("000.00.01.H41", True), ("000.00.00.G22", True), ("000.00.31.H41", True),
    ("00.53.W00", False), ("000.00.1.H41", False), ("000-00-01-H41", False), ("", False),
    ("000.00.01.h41", False), ("000.00.01.H41 ", False), ("UBND-KH", False),
])
def test_organ_id_shape(value, expected):
    assert codes.is_organ_id(value) is expected


@pytest.mark.parametrize("value, expected", [("00.53.W00", True), ("000.00.00.H41", True), ("53.W00", False)])
def test_party_id_accepts_hub_system_ids(value, expected):
    assert codes.is_party_id(value) is expected


@pytest.mark.parametrize("value, expected", [
    ("0", BusinessDocType.NEW), ("1", BusinessDocType.REVOKE), (" 2 ", BusinessDocType.UPDATE),
    (3, BusinessDocType.REPLACE), ("4", None), ("x", None), ("", None),
])
def test_business_doc_type(value, expected):
    assert codes.business_doc_type(value) is expected


@pytest.mark.parametrize("value, expected", [
    ("01", StatusCode.ARRIVED), ("1", StatusCode.ARRIVED), ("02", StatusCode.REFUSED),
    ("03", StatusCode.ACCEPTED), ("04", StatusCode.ASSIGNED), ("05", StatusCode.PROCESSING),
    ("06", StatusCode.COMPLETED), ("13", StatusCode.REVOKE_REQUESTED), ("15", StatusCode.REQUEST_AGREED),
    ("16", StatusCode.REQUEST_REFUSED), ("07", None), ("14", None), ("", None), ("abc", None),
])
def test_status_code(value, expected):
    assert codes.status_code(value) is expected


def test_every_code_has_both_meanings():
    for code in [*StatusCode, *BusinessDocType]:
        assert code.meaning.vi and code.meaning.en
    assert StatusCode.REFUSED.meaning.vi.startswith("Từ chối")
    assert {c.value for c in StatusCode} == {"01", "02", "03", "04", "05", "06", "13", "15", "16"}


def test_codes_needing_a_reason():
    assert {c.value for c in StatusCode if c.needs_reason} == {"02", "13", "16"}
