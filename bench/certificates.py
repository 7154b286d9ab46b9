"""Certificate PDF rendering speed, side by side with a baseline in the same run.

Target (issue 3): at least 100 certificates a second per core for the PDF itself.
Baseline: a bare ReportLab page with one line of text, the floor for any ReportLab
PDF on this machine. Run: .venv/bin/python bench/certificates.py [count]
"""

import sys
import time
from datetime import date
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reportlab.pdfgen.canvas import Canvas

from learners.certificate_pdf import CertificateContent, certificate_pdf_render


def bare_page(i: int) -> bytes:
    buffer = BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(100, 100, f"Certificate {i}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def certificate(i: int) -> bytes:
    return certificate_pdf_render(CertificateContent(
        academy_name="Digital Academy", learner_name=f"Learner Number {i}",
        course_title="Iterating public services (discovery, alpha, beta, live)",
        completed_on=date(2026, 11, 29), code=f"{i:027d}",
        verify_url=f"https://academy.example.gov.uk/certificates/verify/{i:027d}/",
    ))


def rate(render, count: int) -> float:
    start = time.perf_counter()
    for i in range(count):
        render(i)
    return count / (time.perf_counter() - start)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    rate(certificate, 20)  # warm up imports and fonts
    baseline = rate(bare_page, count)
    ours = rate(certificate, count)
    print(f"certificates rendered: {count} on one core")
    print(f"baseline (bare ReportLab page): {baseline:,.0f}/s")
    print(f"certificate PDF:                {ours:,.0f}/s  (target >= 100/s)")
    print(f"ratio to baseline: {ours / baseline:.2f}")


if __name__ == "__main__":
    main()
