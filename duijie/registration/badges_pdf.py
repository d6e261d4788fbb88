"""The printable badge: A6, the holder's Chinese and English names, organisation, category on a coloured band,
the event and its dates, and the QR code of the signed token (`badges.badge_token`).

Chinese needs a font: WenQuanYi Micro Hei (Debian's `fonts-wqy-microhei`, which CI installs) is embedded as a
subset when present, so the badge prints the same anywhere; without it the PDF names Adobe's standard
`STSong-Light`, which PDF readers supply themselves. The QR code is drawn as vector squares, 50 mm wide, with
its quiet zone: a module of about 0.8 mm reads from a phone at arm's length.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import segno
from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.pagesizes import A6
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
QR_SIZE = 50 * mm
MARGIN = 6 * mm

# The band's colour per category code; a category the list does not know is grey.
COLOURS: dict[str, str] = {
    "guest": "#1d4ed8",
    "speaker": "#b91c1c",
    "media": "#6d28d9",
    "exhibitor": "#c2410c",
    "investor": "#047857",
    "government": "#0f172a",
    "vip": "#a16207",
}
DEFAULT_COLOUR = "#475569"


@dataclass(frozen=True)
class BadgeFace:
    """What is printed: plain values, so the layout is tested without a database."""

    token: str
    number: int
    name: str
    name_en: str | None
    organisation: str | None
    job_title: str | None
    category_code: str
    category_zh: str
    category_en: str | None
    event_zh: str
    event_en: str | None
    starts_on: dt.date
    ends_on: dt.date


@cache
def font_name() -> str:
    """The registered font that draws both scripts."""
    if WQY.exists():
        pdfmetrics.registerFont(TTFont("WQYMicroHei", str(WQY), subfontIndex=0))
        return "WQYMicroHei"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def colour_of(category_code: str) -> Color:
    return HexColor(COLOURS.get(category_code.lower(), DEFAULT_COLOUR))


def dates_zh(start: dt.date, end: dt.date) -> str:
    if start == end:
        return f"{start.year}年{start.month}月{start.day}日"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.year}年{start.month}月{start.day}日至{end.day}日"
    return f"{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日"


def dates_en(start: dt.date, end: dt.date) -> str:
    if start == end:
        return f"{start.day} {start:%B %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {start:%B %Y}"
    return f"{start.day} {start:%B %Y} – {end.day} {end:%B %Y}"


def _fit(text: str, font: str, size: float, width: float, smallest: float = 7) -> float:
    """The largest size up to `size` at which `text` fits `width` (long names shrink rather than overflow)."""
    while size > smallest and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _centred(canvas: Canvas, text: str, y: float, size: float, *, font: str, width: float) -> None:
    if not text:
        return
    fitted = _fit(text, font, size, width)
    canvas.setFont(font, fitted)
    canvas.drawCentredString(A6[0] / 2, y, text)


def _qr(canvas: Canvas, token: str, x: float, y: float, size: float) -> None:
    """The QR code (error correction M) as dark runs of each row: one rectangle per run, so no hairline seams
    appear between modules when printed."""
    code = segno.make(token, error="m", micro=False)
    rows = [list(row) for row in code.matrix_iter(border=4)]
    module = size / len(rows)
    canvas.setFillColor(white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(rows):
        top = y + size - (r + 1) * module
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                canvas.rect(x + start * module, top, (c - start) * module, module, stroke=0, fill=1)
            else:
                c += 1


def render(face: BadgeFace) -> bytes:
    """The badge as a one-page A6 PDF."""
    font = font_name()
    width, height = A6
    inner = width - 2 * MARGIN
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A6, pageCompression=1)
    canvas.setTitle(f"{face.name} · {face.event_zh}")
    canvas.setAuthor("duijie")
    colour = colour_of(face.category_code)

    # The event at the top, in both languages.
    canvas.setFillColor(colour)
    canvas.rect(0, height - 4 * mm, width, 4 * mm, stroke=0, fill=1)
    canvas.setFillColorRGB(0.1, 0.1, 0.1)
    _centred(canvas, face.event_zh, height - 12 * mm, 12, font=font, width=inner)
    canvas.setFillColorRGB(0.3, 0.3, 0.3)
    _centred(canvas, face.event_en or "", height - 17 * mm, 8, font=font, width=inner)
    _centred(
        canvas,
        f"{dates_zh(face.starts_on, face.ends_on)} · {dates_en(face.starts_on, face.ends_on)}",
        height - 21.5 * mm,
        7,
        font=font,
        width=inner,
    )

    # The holder.
    canvas.setFillColorRGB(0, 0, 0)
    _centred(canvas, face.name, height - 35 * mm, 26, font=font, width=inner)
    if face.name_en and face.name_en != face.name:
        _centred(canvas, face.name_en, height - 43 * mm, 14, font=font, width=inner)
    canvas.setFillColorRGB(0.2, 0.2, 0.2)
    _centred(canvas, face.organisation or "", height - 50 * mm, 10, font=font, width=inner)
    _centred(canvas, face.job_title or "", height - 55 * mm, 8, font=font, width=inner)

    # The QR code, then the registration number under it for a look-up by hand.
    qr_y = 24 * mm
    _qr(canvas, face.token, (width - QR_SIZE) / 2, qr_y, QR_SIZE)
    canvas.setFillColorRGB(0.3, 0.3, 0.3)
    _centred(canvas, f"No. {face.number:06d}", qr_y - 3 * mm, 7, font=font, width=inner)

    # The category band at the bottom, readable across a hall.
    band = 17 * mm
    canvas.setFillColor(colour)
    canvas.rect(0, 0, width, band, stroke=0, fill=1)
    canvas.setFillColor(white)
    _centred(canvas, face.category_zh, band - 9 * mm, 18, font=font, width=inner)
    _centred(canvas, (face.category_en or "").upper(), band - 14 * mm, 9, font=font, width=inner)

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
