"""Number and symbol (số, ký hiệu), table-driven."""
import pytest

from recordsys.ingest.numbering import (
    NumberAndSymbol,
    format_number_and_symbol,
    parse_number_and_symbol,
    register_kind,
)


@pytest.mark.parametrize("number,agency,type_abbr,unit,expected", [
    (15, "UBND", "QĐ", None, "15/QĐ-UBND"),
    (3, "UBND", "QĐ", None, "03/QĐ-UBND"),
    (15, "UBND", None, "VP", "15/UBND-VP"),  # công văn: agency then drafting unit
    (120, "SNV", "KH", "TCCC", "120/KH-SNV-TCCC"),
    (7, "UBND", "QyĐ", None, "07/QyĐ-UBND"),
])
def test_format(number, agency, type_abbr, unit, expected):
    assert format_number_and_symbol(number, agency, type_abbr, unit) == expected


@pytest.mark.parametrize("text,expected", [
    ("15/QĐ-UBND", NumberAndSymbol(15, "QĐ-UBND")),
    (" 15 / QĐ-UBND ", NumberAndSymbol(15, "QĐ-UBND")),
    ("1234/UBND-VP", NumberAndSymbol(1234, "UBND-VP")),
    ("05/TTr-STNMT", NumberAndSymbol(5, "TTr-STNMT")),
])
def test_parse(text, expected):
    assert parse_number_and_symbol(text) == expected


@pytest.mark.parametrize("text", ["", "QĐ-UBND", "15/", "/QĐ-UBND", "15/QĐ--UBND", "abc/QĐ"])
def test_parse_rejects(text):
    with pytest.raises(ValueError, match="is not a number and symbol"):
        parse_number_and_symbol(text)


def test_register_kinds():
    assert register_kind("incoming") == "incoming"
    assert register_kind("incoming", confidential=True) == "incoming-confidential"
    with pytest.raises(ValueError):
        register_kind("sideways")
    with pytest.raises(ValueError):
        format_number_and_symbol(0, "UBND", "QĐ")
