"""Plain sentences for refusals and flags, in Vietnamese (default) and English."""
from __future__ import annotations

from recordsys.ingest.policy import Reason

MESSAGES = {
    "unreadable": ("Không đọc được tệp: {0}.", "The file cannot be read: {0}."),
    "unsigned": ("Văn bản không có chữ ký số.", "The document has no digital signature."),
    "signature_invalid": ("Chữ ký số của {0} không toàn vẹn: nội dung đã bị thay đổi sau khi ký.",
                          "The signature of {0} is broken: the content was altered after signing."),
    "signature_modified": ("Văn bản đã bị sửa đổi sau khi {0} ký.",
                           "The document was modified after {0} signed it."),
    "signature_revoked": ("Chứng thư số của {0} đã bị thu hồi.", "The certificate of {0} has been revoked."),
    "signature_expired": ("Chứng thư số của {0} đã hết hạn hoặc chưa có hiệu lực.",
                          "The certificate of {0} has expired or is not yet valid."),
    "signature_untrusted": ("Chứng thư số của {0} không do tổ chức chứng thực được tin cậy cấp.",
                            "The certificate of {0} does not chain to a trusted certification authority."),
    "pdfa_not_declared": ("Tệp không phải định dạng PDF/A.", "The file is not declared as PDF/A."),
    "pdfa_failed": ("Tệp không đạt chuẩn PDF/A-{0}: vi phạm {1} quy tắc.",
                    "The file does not conform to PDF/A-{0}: {1} rule(s) failed."),
    "pdfa_error": ("Không kiểm tra được định dạng PDF/A: {0}.", "The PDF/A check failed: {0}."),
    "unsigned_internal_scan": ("Bản quét nội bộ không có chữ ký số (được phép theo cấu hình).",
                               "Internal scan without a digital signature (allowed by the agency's settings)."),
    "must_convert_before_archiving": ("Phải chuyển sang PDF/A trước khi lưu trữ.",
                                      "Must be converted to PDF/A before archiving."),
}
LANGS = ("vi", "en")


def sentence(code: str, args=(), lang: str = "vi") -> str:
    template = MESSAGES[code][LANGS.index(lang)]
    return template.format(*args)


def reason_text(reason: Reason, lang: str = "vi") -> str:
    return sentence(reason.code, reason.args, lang)
