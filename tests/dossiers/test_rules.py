"""Dossier rules, table-driven (pure functions)."""
import datetime as dt

import pytest

from recordsys import metadata
from recordsys.dossiers import rules
from recordsys.dossiers.validation import validate

D = metadata.load()


@pytest.mark.parametrize("organ,year,notation,code", [
    ("000.00.01.H41", 2026, "01.TCCB", "000.00.01.H41.2026.01.TCCB"),
    ("000.00.01.H41", 2019, "15-VP", "000.00.01.H41.2019.15-VP"),
    ("000.01.42.H41", 2026, "Đ01", "000.01.42.H41.2026.Đ01"),
])
def test_dossier_codes_round_trip(organ, year, notation, code):
    assert rules.dossier_code(organ, year, notation) == code
    assert rules.parse_dossier_code(code) == rules.DossierCode(organ, year, notation)
    doc = rules.document_code(code, 7)
    assert doc == code + ".0000007" and rules.parse_document_code(doc) == (rules.DossierCode(organ, year, notation), 7)


def test_old_circular02_codes_still_parse():
    assert rules.parse_dossier_code("H41-02.2026.01.TCCB") == rules.DossierCode("H41-02", 2026, "01.TCCB")
    assert rules.parse_document_code("H41-02.2026.01.TCCB.007") == (rules.DossierCode("H41-02", 2026, "01.TCCB"), 7)
    assert rules.bag_name("000.00.01.H41.2026.01/TCCB") == "000.00.01.H41.2026.01_TCCB"


@pytest.mark.parametrize("organ,year,notation,message", [
    ("", 2026, "01", "agency identifier"), ("H41-02", 2026, "01", "agency identifier"),
    ("000.00.01.H41", 1200, "01", "plausible year"), ("000.00.01.H41", 2026, "", "number and symbol"),
    ("000.00.01.H41", 2026, "a b", "number and symbol"),
])
def test_bad_codes(organ, year, notation, message):
    with pytest.raises(rules.RuleError, match=message):
        rules.dossier_code(organ, year, notation)


def test_parse_rejects():
    for code in ("", "H41", "H41.26.01", "H41.2026"):
        with pytest.raises(rules.RuleError):
            rules.parse_dossier_code(code)
    with pytest.raises(rules.RuleError):
        rules.document_code("000.00.01.H41.2026.01", 10_000_000)
    with pytest.raises(rules.RuleError):
        rules.document_code("000.00.01.H41.2026.01", 0)


def test_computed_fields():
    docs = [rules.DocumentFacts(1, dt.date(2026, 3, 15), 4), rules.DocumentFacts(2, dt.date(2026, 1, 5), 2),
            rules.DocumentFacts(3, None, None, language="en")]
    assert rules.computed_fields(docs) == {"StartDate": "2026-01-05", "EndDate": "2026-03-15", "TotalDoc": 3,
                                           "PageNumber": 6, "Language": ["en", "vi"]}


@pytest.mark.parametrize("values,errors", [
    ({"Title": "x" * 1001}, [("Title", "max_length")]),
    ({"FileCatalog": "hai nghìn"}, [("FileCatalog", "integer")]),
    ({"StartDate": "15/03/2026"}, [("StartDate", "date")]),
    ({"Maintenance": "99"}, [("Maintenance", "code")]),
    ({"Rights": "bi_mat"}, [("Rights", "code")]),
    ({"StartDate": "2026-05-01", "EndDate": "2026-01-01"}, [("StartDate", "date_order")]),
    ({"Mau": "đỏ"}, [("Mau", "unknown")]),
])
def test_field_errors_name_field_and_rule(values, errors):
    base = {"FileCode": "H41.2026.01", "OrganId": "H41", "FileCatalog": 2026, "FileNotation": "01",
            "Title": "Hồ sơ giao đất", "Maintenance": "20", "Rights": "cong_khai"}
    found = validate(D, "dossier", {**base, **values}, require_computed=False)
    assert [(e.field, e.rule) for e in found] == errors
    assert all(e.message_vi and e.message_en for e in found)


def test_mandatory_fields_listed():
    found = validate(D, "dossier", {})
    mandatory = {f.element for f in D.dossier if f.mandatory}
    assert {e.field for e in found if e.rule == "mandatory"} == mandatory
    assert "Trường Tiêu đề hồ sơ (Title) là bắt buộc." in [e.message_vi for e in found]


def test_closing_problems():
    ok = rules.DocumentFacts(1, dt.date(2026, 1, 1), 1, pdfa=True, signature="valid")
    not_pdfa = rules.DocumentFacts(2, dt.date(2026, 1, 1), 1, pdfa=False, signature="valid")
    scan = rules.DocumentFacts(3, dt.date(2026, 1, 1), 1, pdfa=True, signature="unsigned",
                               flags=("unsigned_internal_scan",))
    unsigned = rules.DocumentFacts(4, dt.date(2026, 1, 1), 1, pdfa=True, signature="unsigned")
    assert rules.closing_problems([], [ok, scan]) == []
    problems = rules.closing_problems([], [ok, not_pdfa, unsigned])
    assert len(problems) == 2 and "document 2 is not PDF/A" in problems[0]
    waived = rules.DocumentFacts(2, dt.date(2026, 1, 1), 1, pdfa=False, waiver="Bản gốc giấy, đã số hóa.")
    assert rules.closing_problems([], [ok, waived]) == []
    assert rules.closing_problems([], []) == ["the dossier has no documents"]


@pytest.mark.parametrize("end,code,due", [
    (dt.date(2026, 11, 20), "10", dt.date(2037, 1, 1)),
    (dt.date(2020, 1, 1), "2", dt.date(2023, 1, 1)),
    (dt.date(2026, 1, 1), "vinh_vien", None),
    (dt.date(2026, 1, 1), "het_hieu_luc", None),
])
def test_due_dates(end, code, due):
    assert rules.due_date(end, rules.retention_years(code, D.codes("retention"))) == due


def test_disposition_candidates_and_steps():
    today = dt.date(2030, 1, 1)
    dossiers = [rules.RetentionFacts(1, "closed", dt.date(2029, 1, 1)),
                rules.RetentionFacts(2, "closed", None),  # permanent
                rules.RetentionFacts(3, "closed", dt.date(2029, 1, 1), legal_hold="Đang thanh tra"),
                rules.RetentionFacts(4, "open", dt.date(2029, 1, 1)),
                rules.RetentionFacts(5, "transferred", dt.date(2031, 1, 1))]
    assert rules.disposition_candidates(dossiers, today) == [1]
    state = rules.disposition_step("draft", "appraise", {"archivist"})
    state = rules.disposition_step(state, "approve", {"leader"})
    assert rules.disposition_step(state, "destroy", {"archivist"}) == "destroyed"
    with pytest.raises(rules.RuleError, match="Only the role leader may"):
        rules.disposition_step("appraised", "approve", {"archivist"})
    with pytest.raises(rules.RuleError, match="cannot destroy"):
        rules.disposition_step("draft", "destroy", {"archivist"})
