"""The hub's one-pass base64 check agrees with Python's strict decoder on what real senders write
(line breaks, CRLF, spaces) and on every way of getting it wrong."""
import base64
import binascii
import os

import pytest

from recordsys.exchange.attachments import AttachmentError, check_base64, compact_base64, decode_base64

DATA = os.urandom(3000) + "Quyết định 15/QĐ-UBND".encode()
PLAIN = base64.b64encode(DATA)
LINES = base64.encodebytes(DATA)  # 76 characters a line, "\n"

VALID = {
    "one line": PLAIN,
    "line breaks": LINES,
    "CRLF": LINES.replace(b"\n", b"\r\n"),
    "spaces and tabs": b" \t".join(PLAIN[i:i + 64] for i in range(0, len(PLAIN), 64)),
    "one padding": base64.b64encode(b"ab"),
    "two paddings": base64.b64encode(b"a"),
    "padding then a line break": base64.b64encode(b"a") + b"\r\n",
    "empty": b"",
}
INVALID = {
    "a character outside the alphabet": PLAIN[:100] + b"*" + PLAIN[101:],
    "url-safe alphabet": PLAIN.replace(b"+", b"-"),
    "padding in the middle": PLAIN[:8] + b"==" + PLAIN[10:],
    "three paddings": base64.b64encode(b"a")[:-2] + b"===",
    "a length not a multiple of 4": PLAIN[:-1],
    "padding followed by data": base64.b64encode(b"a") + b"QUJD",
    "non-ASCII text": "QUJD\u0110",
}


def _strict(value: bytes) -> bytes:
    return binascii.a2b_base64(value.translate(None, b" \t\r\n\f\v"), strict_mode=True)


@pytest.mark.parametrize("name", VALID)
def test_valid_base64_passes_and_decodes_as_the_strict_decoder_does(name):
    value = VALID[name]
    assert check_base64(value) is value  # checked in place, not copied
    assert compact_base64(value) == value.translate(None, b" \t\r\n\f\v")
    chunks = []
    digest = decode_base64(value, chunks.append)
    assert b"".join(chunks) == _strict(value) and digest.size == len(_strict(value))


@pytest.mark.parametrize("name", INVALID)
def test_invalid_base64_is_refused_with_a_reason_in_both_languages(name):
    value = INVALID[name]
    if isinstance(value, bytes):
        with pytest.raises(binascii.Error):
            _strict(value)  # the reference decoder refuses it too
    with pytest.raises(AttachmentError) as caught:
        check_base64(value)
    assert caught.value.error.code == "bad-base64"
    assert caught.value.error.vi.startswith("Tệp đính kèm không phải base64 hợp lệ")
