"""Archival codes of Circular 05/2025 (mã hồ sơ, mã tài liệu): build and parse, table-driven."""
import pytest

from recordsys.preservation.eark.codes import (
    CodeError,
    DossierCode,
    document_code,
    dossier_code,
    parse_document_code,
    parse_dossier_code,
)

DOSSIERS = [
    # (agency, year, notation, archive, code)
    ("000.00.01.H41", 2026, "05.TH", None, "000.00.01.H41.2026.05.TH"),
    ("000.06.16.G09", 2010, "01.TH", None, "000.06.16.G09.2010.01.TH"),  # Circular 01/2019 art. 16.3
    ("000.00.01.H41", 2026, "12", None, "000.00.01.H41.2026.12"),
    ("000.00.01.H41", 2025, "03.ĐTXD", None, "000.00.01.H41.2025.03.ĐTXD"),
    ("000.00.01.H41", 2025, "07.QĐ-UBND", None, "000.00.01.H41.2025.07.QĐ-UBND"),
    ("000.00.01.H41", 2026, "05.TH", "000.00.13.H41", "000.00.13.H41.000.00.01.H41.2026.05.TH"),
]


@pytest.mark.parametrize("agency,year,notation,archive,code", DOSSIERS)
def test_dossier_code_builds_and_parses_back(agency, year, notation, archive, code):
    built = dossier_code(agency, year, notation, archive)
    assert str(built) == code
    assert parse_dossier_code(code) == built == DossierCode(agency, year, notation, archive)


@pytest.mark.parametrize("agency,year,notation,archive,code", DOSSIERS)
def test_document_code_adds_a_seven_digit_ordinal(agency, year, notation, archive, code):
    doc = document_code(code, 12)
    assert str(doc) == code + ".0000012"
    assert parse_document_code(str(doc)) == doc
    assert parse_document_code(code + ".9999999").ordinal == 9999999


def test_archive_code_goes_in_front_when_archived():
    code = dossier_code("000.00.01.H41", 2026, "05.TH")
    archived = code.archived("000.00.13.H41")
    assert str(archived) == "000.00.13.H41.000.00.01.H41.2026.05.TH"
    assert str(document_code(archived, 1)) == "000.00.13.H41.000.00.01.H41.2026.05.TH.0000001"


@pytest.mark.parametrize("agency,year,notation", [
    ("H41", 2026, "05.TH"),                 # not a Decision 20/2020 identifier
    ("000.00.01.h41", 2026, "05.TH"),       # lower case
    ("000.00.01.H41", 26, "05.TH"),         # 2-digit year
    ("000.00.01.H41", True, "05.TH"),
    ("000.00.01.H41", 2026, ""),
    ("000.00.01.H41", 2026, "05/TH"),       # a slash would become a path
    ("000.00.01.H41", 2026, "../TH"),
    ("000.00.01.H41", 2026, "05 TH"),
    ("000.00.01.H41", 2026, "05..TH"),
    ("000.00.01.H41", 2026, "05.TH\x00"),
    ("000.00.01.H41", 2026, "05.0000012"),  # ends like a document ordinal
])
def test_bad_parts_are_refused_with_a_bilingual_message(agency, year, notation):
    with pytest.raises(CodeError) as err:
        dossier_code(agency, year, notation)
    assert err.value.vi and err.value.en and err.value.vi != err.value.en


@pytest.mark.parametrize("code", [
    "", "000.00.01.H41", "000.00.01.H41.2026", "000.00.01.H41.26.05.TH", "2026.05.TH",
    "000.00.01.H41.2026.05.TH/../x", "/000.00.01.H41.2026.05.TH",
])
def test_bad_dossier_codes_do_not_parse(code):
    with pytest.raises(CodeError):
        parse_dossier_code(code)


@pytest.mark.parametrize("code", [
    "000.00.01.H41.2026.05.TH",              # no ordinal
    "000.00.01.H41.2026.05.TH.12",           # ordinal not on 7 digits
    "000.00.01.H41.2026.05.TH.0000000",      # ordinals start at 1
    "000.00.01.H41.2026.0000012",            # no notation left
])
def test_bad_document_codes_do_not_parse(code):
    with pytest.raises(CodeError):
        parse_document_code(code)


@pytest.mark.parametrize("ordinal", [0, -1, 10_000_000, "1", True])
def test_document_ordinal_range(ordinal):
    with pytest.raises(CodeError):
        document_code("000.00.01.H41.2026.05.TH", ordinal)
