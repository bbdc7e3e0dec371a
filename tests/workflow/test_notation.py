"""Number and symbol (số, ký hiệu) of outgoing documents: formed and read back, Decree 30 style."""
import datetime as dt
import json
import unicodedata

import pytest

from recordsys.config import REPO_ROOT
from recordsys.workflow import notation
from recordsys.workflow.notation import NotationError, form_notation, parse_notation

FORMED = [
    # number, type, agency, unit, expected
    (15, "QĐ", "UBND", None, "15/QĐ-UBND"),
    (3, "QĐ", "UBND", None, "03/QĐ-UBND"),
    (120, "CV", "UBND", "VP", "120/UBND-VP"),
    (7, "CV", "SNV", "TCBC", "07/SNV-TCBC"),
    (42, "TTr", "STC", None, "42/TTr-STC"),
    (211, "TB", "UBND", None, "211/TB-UBND"),
    (9, "KH", "UBND", "VP", "09/KH-UBND-VP"),
    (1, "BC", "SGDĐT", None, "01/BC-SGDĐT"),
    (56, "QyĐ", "UBND", None, "56/QyĐ-UBND"),
    (12, "CTr", "HĐND", None, "12/CTr-HĐND"),
    (88, "GM", "VP.UBND", None, "88/GM-VP.UBND"),
    (1234, "HĐ", "BQLDA", None, "1234/HĐ-BQLDA"),
    (5, "GGT", "STNMT", None, "05/GGT-STNMT"),
]


@pytest.mark.parametrize("number, type_code, agency, unit, expected", FORMED)
def test_form_and_parse_back(number, type_code, agency, unit, expected):
    formed = form_notation(number, type_code, agency, unit)
    assert str(formed) == expected
    parsed = parse_notation(expected)
    assert (parsed.number, parsed.type_code, parsed.agency, parsed.unit) == (number, type_code, agency, unit)
    assert parsed == formed


@pytest.mark.parametrize("text, expected", [
    ("Số: 15/QĐ-UBND", ("QĐ", "UBND", None)),
    ("số 120/UBND-VP", ("CV", "UBND", "VP")),
    ("  15 / QĐ-UBND ", ("QĐ", "UBND", None)),
    ("15/Q\u0110-UBND", ("QĐ", "UBND", None)),
    ("15/TTr-SKHĐT-KT", ("TTr", "SKHĐT", "KT")),
    # a letter whose agency has a hyphen, known to the caller
    ("31/ĐHQG-HCM-TCCB", ("CV", "ĐHQG-HCM", "TCCB")),
])
def test_parse_real_notations(text, expected):
    parsed = parse_notation(text, agencies=("ĐHQG-HCM",))
    assert (parsed.type_code, parsed.agency, parsed.unit) == expected


def test_parse_reads_decomposed_text():
    """Text pasted from a PDF often comes decomposed (NFD): "Số" as S + o + two combining marks."""
    decomposed = unicodedata.normalize("NFD", "Số: 15/QyĐ-UBND")
    assert decomposed != "Số: 15/QyĐ-UBND"
    assert str(parse_notation(decomposed)) == "15/QyĐ-UBND"


@pytest.mark.parametrize("args, fragment", [
    ((0, "QĐ", "UBND"), "start at 01"),
    ((-3, "QĐ", "UBND"), "start at 01"),
    ((15, "XX", "UBND"), "not an administrative document type"),
    ((15, "QĐ", ""), "agency's abbreviation is missing"),
    ((15, "QĐ", "UB ND"), "not a valid abbreviation"),
    ((15, "CV", "UBND"), "the unit is missing"),
    ((15, "TCg", "UBND"), "no number and symbol"),
])
def test_form_refuses(args, fragment):
    with pytest.raises(NotationError) as info:
        form_notation(*args)
    assert fragment in info.value.en
    assert info.value.vi and info.value.vi != info.value.en


@pytest.mark.parametrize("text", ["", "QĐ-UBND", "15/", "15/UBND", "mười lăm/QĐ-UBND", "15/QĐ_UBND"])
def test_parse_refuses(text):
    with pytest.raises(NotationError):
        parse_notation(text)


def test_every_type_has_the_abbreviation_of_decree_30():
    types = notation.load_document_types()
    assert len(types) == 29
    expected = {"NQ", "QĐ", "CT", "QC", "QyĐ", "TC", "TB", "HD", "CTr", "KH", "PA", "ĐA", "DA", "BC", "BB",
                "TTr", "HĐ", "CĐ", "BGN", "BTT", "GUQ", "GM", "GGT", "GNP", "PG", "PC", "PB"}
    assert {t.abbreviation for t in types.values() if t.abbreviation} == expected
    assert types["CV"].is_letter and types["CV"].numbered
    assert not types["TCg"].numbered and not types["TCg"].is_letter


def test_types_agree_with_the_code_list():
    codelist = json.loads((REPO_ROOT / "metadata" / "codelists" / "document_type.json").read_text(encoding="utf-8"))
    types = notation.load_document_types()
    assert {v["code"]: (v["vi"], v["abbreviation"]) for v in codelist["values"]} == {
        t.code: (t.vi, t.abbreviation) for t in types.values()}


@pytest.mark.parametrize("year, type_code, per_type, confidential, same_as", [
    (2026, "QĐ", False, False, (2026, "CV", False, False)),  # one series for all types
    (2026, "QĐ", True, False, (2026, "QĐ", True, False)),
])
def test_series_key_shares(year, type_code, per_type, confidential, same_as):
    assert notation.series_key(year, type_code, per_type, confidential) == notation.series_key(*same_as)


@pytest.mark.parametrize("a, b", [
    ((2026, "QĐ", True), (2026, "CV", True)),  # one series per type
    ((2026, "QĐ", False), (2027, "QĐ", False)),  # numbers restart each year
])
def test_series_key_separates(a, b):
    assert notation.series_key(*a) != notation.series_key(*b)


def test_confidential_documents_have_their_own_series():
    assert notation.series_key(2026, "QĐ", False, True) != notation.series_key(2026, "QĐ", False, False)


@pytest.mark.parametrize("date, place, expected", [
    (dt.date(2026, 1, 5), "Khánh Hòa", "Khánh Hòa, ngày 05 tháng 01 năm 2026"),
    (dt.date(2026, 2, 28), "Hà Nội", "Hà Nội, ngày 28 tháng 02 năm 2026"),
    (dt.date(2026, 3, 25), "Thành phố Hồ Chí Minh", "Thành phố Hồ Chí Minh, ngày 25 tháng 3 năm 2026"),
    (dt.date(2026, 11, 30), None, "ngày 30 tháng 11 năm 2026"),
    (dt.date(2026, 12, 1), " ", "ngày 01 tháng 12 năm 2026"),
])
def test_date_line(date, place, expected):
    assert notation.date_line(date, place) == expected
