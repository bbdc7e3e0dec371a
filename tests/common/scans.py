"""Scanned pages for the OCR tests: images of Vietnamese text at a chosen resolution."""
from PIL import Image, ImageDraw, ImageFont

from tests.common.components import missing

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
LINES = ["ỦY BAN NHÂN DÂN", "TỈNH KHÁNH HÒA", "QUYẾT ĐỊNH", "Về việc giao đất đai"]


def scanned_page(path, dpi=300, pages=1):
    try:
        font = ImageFont.truetype(FONT, 64)
    except OSError:
        missing("DejaVu fonts", "apt-get install fonts-dejavu-core")
    frames = []
    for _ in range(pages):
        image = Image.new("L", (2480, 1200), 255)
        draw = ImageDraw.Draw(image)
        for i, line in enumerate(LINES):
            draw.text((200, 150 + i * 200), line, font=font, fill=0)
        frames.append(image)
    frames[0].save(path, save_all=True, append_images=frames[1:], dpi=(dpi, dpi))
    return path
