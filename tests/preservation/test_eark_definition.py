"""The Circular 05/2025 definition and code lists load, and keep the shape of Circular 02's."""
from recordsys.metadata import load, load_circular05

DOSSIER = ["fileCode", "arcFileCode", "title", "maintenance", "mode", "language", "startDate", "endDate",
           "keyword", "totalDoc", "numberOfPaper", "numberOfPage", "format", "inforSign", "confidenceLevel",
           "paperFileCode", "riskRecovery", "riskRecoveryStatus", "description"]


def test_dossier_fields_in_the_circulars_order():
    assert [f.element for f in load_circular05().dossier] == DOSSIER


def test_ten_fonds_fields_and_the_document_fields():
    definition = load_circular05()
    assert len(definition.fonds) == 10
    elements = [f.element for f in definition.document]
    for name in ["docId", "docCode", "typeName", "codeNumber", "codeNotation", "issuedDate", "organName",
                 "subject", "autograph", "process"]:
        assert name in elements


def test_every_code_field_names_an_existing_list():
    definition = load_circular05()
    for field in definition.fonds + definition.dossier + definition.document:
        if field.type in ("code", "code_list"):
            assert definition.codes(field.code_list), field.element


def test_code_lists_carry_the_circulars_numbers_and_vietnamese_labels():
    definition = load_circular05()
    assert sorted(definition.code_values("retention")) == [f"{i:02d}" for i in range(1, 8)]
    assert sorted(definition.code_values("document_type")) == [f"{i:02d}" for i in range(1, 33)]
    assert sorted(definition.code_values("language")) == [f"{i:02d}" for i in range(1, 12)]
    for name in ("access", "reliability", "physical_condition"):
        assert sorted(definition.code_values(name)) == ["01", "02", "03"]
    assert definition.label("retention", "01") == "Vĩnh viễn"
    assert definition.label("document_type", "22") == "Công văn"
    assert definition.label("language", "09") == "Hán Nôm"
    assert definition.label("access", "03", "en") == "Secret"


def test_circular_02_loader_is_unchanged():
    assert "reliability" not in load().code_lists and load().dossier[0].element == "FileCode"


DECREE_30_TYPES = ["Nghị quyết", "Quyết định", "Chỉ thị", "Quy chế", "Quy định", "Thông cáo", "Thông báo", "Hướng dẫn",
                   "Chương trình", "Kế hoạch", "Phương án", "Đề án", "Dự án", "Báo cáo", "Biên bản", "Tờ trình",
                   "Hợp đồng", "Công văn", "Công điện", "Bản ghi nhớ", "Bản thỏa thuận", "Giấy ủy quyền", "Giấy mời",
                   "Giấy giới thiệu", "Giấy nghỉ phép", "Phiếu gửi", "Phiếu chuyển", "Phiếu báo", "Thư công"]


def test_document_types_say_what_was_verified():
    """Only the codes a source gave are marked verified; the 29 names are Decree 30's (Art. 7), the two
    others placeholders; nobody can take an unverified code for a checked one."""
    values = load_circular05().codes("document_type")
    assert {v["code"] for v in values if v["verified"]} == {"01", "22", "32"}
    from_decree = [v["vi"] for v in values if v["name_source"].startswith("Nghị định 30/2020/NĐ-CP, Điều 7")]
    assert sorted(from_decree) == sorted(DECREE_30_TYPES)
    assert [v["code"] for v in values if v.get("placeholder")] == ["30", "31"]
