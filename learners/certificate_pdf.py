"""Draws a certificate as a one-page A4 PDF with ReportLab.

ReportLab draws directly (about a millisecond a page here), where HTML-to-PDF tools
took hundreds: fast enough to certify a whole department at once
(docs/decisions.md). Only the built-in PDF fonts are used, so nothing is fetched."""

from dataclasses import dataclass
from datetime import date
from io import BytesIO

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
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


def _fit(canvas: Canvas, text: str, font: str, size: float, max_width: float) -> float:
    """The largest size up to `size` at which the text fits the width."""
    width = canvas.stringWidth(text, font, size)
    return size if width <= max_width else size * max_width / width


def certificate_pdf_render(content: CertificateContent) -> bytes:
    buffer = BytesIO()
    width, height = landscape(A4)
    canvas = Canvas(buffer, pagesize=(width, height), pageCompression=1)
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

    qr_size = 34 * mm
    widget = QrCodeWidget(content.verify_url, barLevel="M")
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(qr_size, qr_size,
                      transform=[qr_size / (x2 - x1), 0, 0, qr_size / (y2 - y1), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, 20 * mm, 16 * mm)

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
