"""Draws a certificate as a one-page A4 PDF with ReportLab.

ReportLab draws directly (about a millisecond a page here), where HTML-to-PDF tools
took hundreds: fast enough to certify a whole department at once
(docs/decisions.md). Only the built-in PDF fonts are used, so nothing is fetched."""

from dataclasses import dataclass
from datetime import date
from io import BytesIO

import segno
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

BLUE = HexColor("#1d70b8")
BLACK = HexColor("#0b0c0c")
GREY = HexColor("#484949")


@dataclass(frozen=True)
class CertificateContent:
    academy_name: str
    learner_name: str
    course_title: str
    completed_on: date
    code: str
    verify_url: str
    learning_minutes: int | None = None  # None on certificates issued before it was kept
    valid_until: date | None = None  # the last day it is valid; None: it does not expire


def learning_time_display(minutes: int) -> str:
    """Minutes in words: "3 hours", "1 hour 30 minutes", "45 minutes"."""
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


def _fit(canvas: Canvas, text: str, font: str, size: float, max_width: float) -> float:
    """The largest size up to `size` at which the text fits the width."""
    width = canvas.stringWidth(text, font, size)
    return size if width <= max_width else size * max_width / width


def _draw_qr(canvas: Canvas, data: str, *, x: float, y: float, size: float) -> None:
    """Draw a QR code as one filled path of its dark modules. segno encodes it;
    drawing the rows directly is far faster than ReportLab's graphics widget."""
    # A fixed mask: any of the eight is valid; choosing the "best" one took 80% of the
    # time to draw a certificate, for no difference a phone camera notices.
    matrix = segno.make_qr(data, error="m", mask=4, boost_error=False).matrix
    module = size / len(matrix)
    path = canvas.beginPath()
    for row_number, row in enumerate(matrix):
        top = y + size - (row_number + 1) * module
        column = 0
        while column < len(row):
            if row[column]:
                start = column
                while column < len(row) and row[column]:
                    column += 1
                path.rect(x + start * module, top, (column - start) * module, module)
            else:
                column += 1
    canvas.setFillColor(BLACK)
    canvas.drawPath(path, stroke=0, fill=1)


def certificate_pdf_render(content: CertificateContent) -> bytes:
    buffer = BytesIO()
    width, height = landscape(A4)
    # Document title, author, subject and language (/Lang) are set; the page is not
    # tagged for screen readers, which ReportLab cannot do (docs/decisions.md).
    canvas = Canvas(buffer, pagesize=(width, height), pageCompression=1, lang="en-GB")
    canvas.setTitle(f"Certificate: {content.course_title}")
    canvas.setAuthor(content.academy_name)
    canvas.setSubject(f"{content.learner_name} completed {content.course_title}")

    canvas.setFillColor(BLUE)
    canvas.rect(0, height - 18 * mm, width, 18 * mm, stroke=0, fill=1)
    canvas.setFillColor(HexColor("#ffffff"))
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(20 * mm, height - 12 * mm, content.academy_name)

    centre = width / 2
    text_width = width - 60 * mm
    canvas.setFillColor(GREY)
    canvas.setFont("Helvetica", 18)
    canvas.drawCentredString(centre, height - 45 * mm, "Certificate of completion")
    canvas.setFillColor(BLACK)
    size = _fit(canvas, content.learner_name, "Helvetica-Bold", 36, text_width)
    canvas.setFont("Helvetica-Bold", size)
    canvas.drawCentredString(centre, height - 72 * mm, content.learner_name)
    canvas.setFont("Helvetica", 16)
    canvas.drawCentredString(centre, height - 88 * mm, "has completed the course")
    size = _fit(canvas, content.course_title, "Helvetica-Bold", 26, text_width)
    canvas.setFont("Helvetica-Bold", size)
    canvas.drawCentredString(centre, height - 106 * mm, content.course_title)
    canvas.setFont("Helvetica", 16)
    completed = f"on {content.completed_on.day} {content.completed_on:%B %Y}"
    canvas.drawCentredString(centre, height - 122 * mm, completed)
    details = []
    if content.learning_minutes:
        details.append(f"Learning time: {learning_time_display(content.learning_minutes)}")
    if content.valid_until:
        until = content.valid_until
        details.append(f"Valid until {until.day} {until:%B %Y}")
    if details:
        canvas.setFillColor(GREY)
        canvas.setFont("Helvetica", 14)
        canvas.drawCentredString(centre, height - 134 * mm, "   \u00b7   ".join(details))

    _draw_qr(canvas, content.verify_url, x=20 * mm, y=16 * mm, size=34 * mm)

    canvas.setFillColor(GREY)
    canvas.setFont("Helvetica", 10)
    canvas.drawString(60 * mm, 40 * mm, "Check this certificate is genuine at")
    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawString(60 * mm, 34 * mm, content.verify_url)
    canvas.setFont("Helvetica", 10)
    canvas.drawString(60 * mm, 26 * mm, "Verification code")
    canvas.setFont("Courier-Bold", 10)
    canvas.drawString(60 * mm, 20 * mm, content.code)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
