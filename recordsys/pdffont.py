"""The font of signature appearances: DejaVu Sans (it has the Vietnamese letters), prepared once for
pyHanko. Shared by every domain that draws a signature box (the workflow's issue signatures, the
archive's certified copies)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from recordsys.i18n import LocalizedError

FONT_PATH = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def glyph_font(error: type[LocalizedError] = LocalizedError):
    """DejaVu Sans rescaled to 1000 units per em, without hinting: pyHanko's glyph accumulator writes
    widths in font units, which PDF reads as thousandths of an em, so the 2048-unit original comes
    out letter-spaced. ``error`` is raised (with a sentence) when the font is not installed."""
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory

    return GlyphAccumulatorFactory(str(vietnamese_font(error)))


def vietnamese_font(error: type[LocalizedError] = LocalizedError) -> Path:
    """The prepared font file, built once and cached in the temporary folder."""
    source = Path(FONT_PATH)
    if not source.exists():
        raise error("The DejaVu font is missing: install the Debian package fonts-dejavu-core.")
    cached = Path(tempfile.gettempdir()) / "recordsys-fonts" / f"DejaVuSans-1000-unhinted-{int(source.stat().st_mtime)}.ttf"
    if cached.exists():
        return cached
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    font = TTFont(str(source))
    scale_upem(font, 1000)
    for table in ("fpgm", "prep", "cvt ", "hdmx", "VDMX", "LTSH", "kern", "FFTM"):  # hinting is in font units
        if table in font:
            del font[table]
    for name in font.getGlyphOrder():
        glyph = font["glyf"][name]
        if hasattr(glyph, "program"):
            glyph.program.fromBytecode(b"")
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_name(f".{cached.name}.{os.getpid()}")
    font.save(str(tmp))
    tmp.replace(cached)
    return cached
