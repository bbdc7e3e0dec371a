"""One set of behaviour tests for both backends: Vietnamese with and without diacritics, phrases,
prefixes, number-and-symbol first, filters, facets, access, snippets, sorting, paging, bad input."""
import pytest

from recordsys.search.interfaces import QueryError, SearchEntry, SearchRequest, SearchUnavailable, Viewer
from recordsys.search.query import parse_query

OFFICE, DEPT, OTHER = 2, 3, 9

ENTRIES = [
    SearchEntry("document:1", "document", OFFICE, "Quyết định về việc giao đất đai cho hộ gia đình tại phường Lộc Thọ",
                number_and_symbol="15/QĐ-UBND", year=2026, type="Quyết định", issuer="UBND tỉnh Khánh Hòa",
                signer="Nguyễn Văn An", status="registered", date="2026-03-15",
                body="Căn cứ Luật Đất đai năm 2024. Giao đất đai cho hộ gia đình ông Trần Văn Bình."),
    SearchEntry("document:2", "document", OFFICE, "Báo cáo tình hình sử dụng đất đai năm 2025",
                number_and_symbol="120/BC-STNMT", year=2025, type="Báo cáo", issuer="Sở Tài nguyên và Môi trường",
                signer="Lê Văn Cường", status="registered", date="2025-12-20",
                body="Quyết định số 15/QĐ-UBND đã giao đất cho 12 hộ."),
    SearchEntry("document:3", "document", OFFICE, "Kế hoạch đào tạo công chức năm 2026",
                number_and_symbol="05/KH-SNV", year=2026, type="Kế hoạch", issuer="Sở Nội vụ",
                status="registered", date="2026-01-05", body="Đào tạo, bồi dưỡng cán bộ, công chức cấp xã."),
    SearchEntry("document:4", "document", OFFICE, "Quyết định thành lập Hội đồng xác định giá trị tài liệu",
                number_and_symbol="16/QĐ-UBND", year=2026, type="Quyết định", issuer="UBND tỉnh Khánh Hòa",
                confidentiality="mat", status="registered", date="2026-04-01", body="Hội đồng gồm 5 thành viên."),
    SearchEntry("document:5", "document", OTHER, "Quyết định giao đất đai của tỉnh khác",
                number_and_symbol="15/QĐ-UBND", year=2026, type="Quyết định", issuer="UBND tỉnh Ninh Thuận",
                status="registered", date="2026-02-01", body="Giao đất đai."),
    SearchEntry("dossier:1", "dossier", OFFICE, "Hồ sơ giao đất đai phường Lộc Thọ năm 2026",
                number_and_symbol=None, year=2026, type=None, status="open", retention="20",
                date="2026-03-15", body="000.00.01.H41.2026.01.TCCB"),
    SearchEntry("document:6", "document", DEPT, "Công văn về việc Đà Nẵng hỗ trợ đào tạo",
                number_and_symbol="07/SNV-VP", year=2024, type="Công văn", issuer="Sở Nội vụ",
                status="registered", date="2024-06-01", body="Đề nghị hỗ trợ."),
]

ME = Viewer(frozenset({OFFICE, DEPT}), clearance=0)


@pytest.fixture
def loaded(backend):
    backend.index(ENTRIES)
    return backend


def ids(result):
    return [h.id for h in result.hits]


def search(backend, text, viewer=ME, **kw):
    return backend.search(SearchRequest(parse_query(text), viewer, **kw))


@pytest.mark.parametrize("with_marks,without", [
    ("Quyết định", "quyet dinh"), ("đất đai", "dat dai"), ("ĐẤT ĐAI", "dat dai"), ("Đà Nẵng", "da nang"),
])
def test_with_or_without_diacritics_finds_the_same(loaded, with_marks, without):
    a, b = search(loaded, with_marks), search(loaded, without)
    assert set(ids(a)) == set(ids(b)) and a.total == b.total and a.total > 0


def test_words_are_anded_and_access_is_applied(loaded):
    result = search(loaded, "dat dai")
    assert set(ids(result)) == {"document:1", "document:2", "dossier:1"}  # not another agency's, not Mật


def test_number_and_symbol_first(loaded):
    for text in ("15/QĐ-UBND", "15/qd-ubnd", "15 / QĐ-UBND"):
        result = search(loaded, text)
        assert ids(result)[0] == "document:1", text  # document:2 only mentions it in its text
        assert "document:5" not in ids(result)


def test_phrase_and_prefix(loaded):
    assert ids(search(loaded, '"ho gia dinh"')) == ["document:1"]
    assert set(ids(search(loaded, '"gia ho"'))) == set()
    assert set(ids(search(loaded, "đào tạ*"))) == {"document:3", "document:6"}


def test_clearance_shows_confidential(loaded):
    cleared = Viewer(frozenset({OFFICE}), clearance=1)
    assert "document:4" in ids(search(loaded, "hoi dong", viewer=cleared))
    assert "document:4" not in ids(search(loaded, "hoi dong"))


def test_filters_and_facets(loaded):
    result = search(loaded, "dat")
    assert result.facets["year"] == {"2026": 2, "2025": 1}
    assert result.facets["kind"] == {"document": 2, "dossier": 1}
    assert result.facets["type"] == {"Quyết định": 1, "Báo cáo": 1}
    filtered = search(loaded, "dat", filters={"year": 2025})
    assert ids(filtered) == ["document:2"] and filtered.facets["year"] == {"2025": 1}
    assert ids(search(loaded, "dat", filters={"kind": "dossier"})) == ["dossier:1"]


def test_snippets_keep_diacritics(loaded):
    [hit] = search(loaded, "ong tran van binh").hits
    assert "<mark>Trần</mark> <mark>Văn</mark> <mark>Bình</mark>" in hit.snippet
    assert hit.entry["number_and_symbol"] == "15/QĐ-UBND" and "body" not in hit.entry


def test_sort_by_date_and_pages(loaded):
    result = search(loaded, "", sort="date", page_size=2)
    assert result.total == 5 and set(ids(result)) == {"document:1", "dossier:1"}  # the newest, same day
    dates = [h.entry["date"] for h in search(loaded, "", sort="date", page_size=10).hits]
    assert dates == sorted(dates, reverse=True)
    page2 = search(loaded, "", sort="date", page=2, page_size=2)
    assert len(page2.hits) == 2 and not set(ids(page2)) & set(ids(search(loaded, "", sort="date", page_size=2)))


def test_update_and_delete(loaded):
    from dataclasses import replace

    loaded.index([replace(ENTRIES[2], title="Kế hoạch cải cách hành chính")])
    assert ids(search(loaded, "cai cach")) == ["document:3"]
    assert search(loaded, '"dao tao cong chuc nam 2026"').total == 0  # the old title is gone
    loaded.delete(["document:3"])
    assert search(loaded, "cai cach").total == 0


def test_rebuild_swaps_in_a_new_index(loaded):
    count = loaded.rebuild(iter(ENTRIES[:2]))
    assert count == 2 and loaded.count() == 2
    assert set(ids(search(loaded, "dat dai"))) == {"document:1", "document:2"}


@pytest.mark.parametrize("text", ['"giao đất', 'AND OR NOT ( ) * : ^ ~', "\x00\x07đất\x1b", "đất " * 2000,
                                  "-", '""', "*", "15/", "OR"])
def test_odd_input_never_fails(loaded, text):
    result = search(loaded, text)
    assert result.total >= 0


def test_no_organizations_no_results(loaded):
    assert search(loaded, "dat", viewer=Viewer(frozenset())).total == 0


def test_bad_request_is_a_query_error():
    with pytest.raises(QueryError):
        SearchRequest(parse_query("x"), ME, sort="random")
    with pytest.raises(QueryError):
        SearchRequest(parse_query("x"), ME, filters={"color": "red"})


def test_unreachable_opensearch_says_so():
    from recordsys.search.opensearch import OpenSearchBackend

    backend = OpenSearchBackend("http://127.0.0.1:1")
    assert backend.health()["reachable"] is False
    with pytest.raises(SearchUnavailable, match="cannot be reached"):
        search(backend, "dat")
