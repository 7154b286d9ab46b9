"""Draws a programme's closing report as an A4 PDF with ReportLab's page layout
(Platypus), which wraps text and breaks pages: which practices the partner team now
owns, the phase timeline and evidence behind each, and what remains. Built-in PDF
fonts only, as for certificates (learners.certificate_pdf)."""

from dataclasses import dataclass, field
from datetime import date
from html import escape
from io import BytesIO

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer

BLACK = HexColor("#0b0c0c")


@dataclass(frozen=True)
class ReportPhaseChange:
    on: date
    from_phase: str
    to_phase: str
    back: bool
    by: str
    note: str


@dataclass(frozen=True)
class ReportEvidence:
    on: date
    what: str
    led_by: str
    reflection: str


@dataclass(frozen=True)
class ReportPractice:
    name: str
    phase: str                  # "Coach (step 3 of 4)"
    owned: bool
    changes: list[ReportPhaseChange] = field(default_factory=list)
    evidence: list[ReportEvidence] = field(default_factory=list)
    courses_needed: list[tuple[str, int, int]] = field(default_factory=list)  # title, n, of


@dataclass(frozen=True)
class ProgrammeReport:
    name: str
    organisation: str
    starts_on: date
    ends_on: date
    made_on: date
    coaches: list[str]
    practices: list[ReportPractice]


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _styles() -> dict[str, ParagraphStyle]:
    sheet = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=sheet["BodyText"], fontName="Helvetica",
                          fontSize=10.5, leading=14, textColor=BLACK, spaceAfter=4)
    return {
        "title": ParagraphStyle("title", parent=body, fontName="Helvetica-Bold",
                                fontSize=20, leading=24, spaceAfter=10),
        "h2": ParagraphStyle("h2", parent=body, fontName="Helvetica-Bold", fontSize=14,
                             leading=18, spaceBefore=12, spaceAfter=6),
        "h3": ParagraphStyle("h3", parent=body, fontName="Helvetica-Bold", fontSize=11.5,
                             leading=15, spaceBefore=8, spaceAfter=4),
        "body": body,
    }


def _text(value: str) -> str:
    """Plain text as a Paragraph's markup: escaped, line breaks kept."""
    # &, < and > only: the markup ReportLab's Paragraph reads (as xml.sax.saxutils would).
    return escape(value, quote=False).replace("\n", "<br/>")


def _bullets(items: list[str], style) -> ListFlowable:
    return ListFlowable([ListItem(Paragraph(item, style), leftIndent=12) for item in items],
                        bulletType="bullet", start="-", leftIndent=12)


def programme_report_render(report: ProgrammeReport) -> bytes:
    styles = _styles()
    body = styles["body"]
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm,
        bottomMargin=20 * mm, title=f"Closing report: {report.name}",
        author="Digital Academy", lang="en-GB")
    owned = [p for p in report.practices if p.owned]
    remaining = [p for p in report.practices if not p.owned]
    story = [
        Paragraph(_text(f"Closing report: {report.name}"), styles["title"]),
        Paragraph(_text(f"Partner organisation: {report.organisation}"), body),
        Paragraph(_text(f"Programme dates: {_day(report.starts_on)} to "
                        f"{_day(report.ends_on)}"), body),
        Paragraph(_text("Coaches: " + (", ".join(report.coaches) or "none recorded")), body),
        Paragraph(_text(f"Report made on {_day(report.made_on)}"), body),
        Paragraph(_text(f"The team now owns {len(owned)} of {len(report.practices)} "
                        "practices."), body),
        Paragraph("Practices the team now owns", styles["h2"]),
    ]
    if owned:
        story.append(_bullets([_text(p.name) for p in owned], body))
    else:
        story.append(Paragraph("None yet.", body))
    story.append(Paragraph("What remains", styles["h2"]))
    if remaining:
        story.append(_bullets([_text(f"{p.name}: now in {p.phase}, not yet owned")
                               for p in remaining], body))
    else:
        story.append(Paragraph("Nothing: the team owns every practice.", body))
    needs = [f"{title} (for {p.name}): {n} of {of} members "
             f"{'has' if n == 1 else 'have'} not completed it"
             for p in report.practices for title, n, of in p.courses_needed]
    if needs:
        story.append(Paragraph("Courses members still need", styles["h3"]))
        story.append(_bullets([_text(need) for need in needs], body))

    story.append(Paragraph("Each practice", styles["h2"]))
    for practice in report.practices:
        story.append(Paragraph(_text(f"{practice.name}: {practice.phase}"), styles["h3"]))
        story.append(Paragraph("Phase timeline", body))
        if practice.changes:
            story.append(_bullets([_text(
                f"{_day(c.on)}: moved {'back ' if c.back else ''}from {c.from_phase} to "
                f"{c.to_phase} by {c.by}. Note: {c.note}") for c in practice.changes], body))
        else:
            story.append(Paragraph("Stayed in Model: no phase changes.", body))
        story.append(Paragraph("Evidence", body))
        if practice.evidence:
            story.append(_bullets([_text(
                f"{_day(e.on)}: {e.what} (led by {e.led_by})"
                + (f". Reflection: {e.reflection}" if e.reflection else ""))
                for e in practice.evidence], body))
        else:
            story.append(Paragraph("No evidence was logged.", body))
        story.append(Spacer(1, 4 * mm))
    document.build(story)
    return buffer.getvalue()
