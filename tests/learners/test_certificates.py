"""Certificates: random codes, a public verify page that says only what it must,
rate-limited; revocation by an admin with a reason."""

import pytest
from django.urls import reverse

from learners import services
from learners.certificate_pdf import CertificateContent, certificate_pdf_render


def test_codes_are_random_with_at_least_100_bits():
    codes = {services.certificate_code_new() for _ in range(1000)}
    assert len(codes) == 1000
    # Crockford base32: 5 bits a character (tests/learners/test_certificate_codes.py).
    assert all(len(code) * 5 >= 100 for code in codes)


def test_verify_page_shows_only_status_name_course_and_date(client, certificate):
    page = client.get(reverse("certificate_verify", args=[certificate.code])).content.decode()
    assert "This certificate is valid" in page
    assert "Sam Okafor" in page
    assert "Agile basics" in page
    assert certificate.completed_on.strftime("%B %Y") in page
    assert "sam@example.gov.uk" not in page
    assert "Score" not in page
    assert "100%" not in page


def test_an_unknown_code_is_not_found(client, db):
    response = client.get(reverse("certificate_verify", args=["not-a-real-code"]))
    assert response.status_code == 404
    assert "We could not find this certificate" in response.content.decode()


def test_a_revoked_certificate_verifies_as_revoked(client, certificate):
    services.certificate_revoke(certificate=certificate, reason="Issued in error")
    page = client.get(reverse("certificate_verify", args=[certificate.code])).content.decode()
    assert "This certificate has been revoked" in page
    assert "This certificate is valid" not in page
    assert "Issued in error" not in page  # the reason is for admins


def test_revoking_needs_a_reason(certificate):
    with pytest.raises(ValueError, match="Give a reason"):
        services.certificate_revoke(certificate=certificate, reason="  ")
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_an_admin_revokes_a_certificate_in_the_admin_with_a_reason(
    client, certificate, admin_user
):
    client.force_login(admin_user)
    url = f"/admin/certificates/edit/{certificate.pk}/"
    assert client.get(url).status_code == 200
    empty = client.post(url, {"revoked_reason": ""})
    assert empty.status_code == 200
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    client.post(url, {"revoked_reason": "Completed by someone else"})
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    assert certificate.revoked_reason == "Completed by someone else"


def test_a_learner_cannot_reach_the_certificate_admin(client, certificate, learner):
    client.force_login(learner)
    response = client.get(f"/admin/certificates/edit/{certificate.pk}/")
    assert response.status_code in (302, 403)
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_the_verify_page_is_rate_limited(client, certificate, settings):
    settings.CERTIFICATE_VERIFY_RATE = "5/m"
    url = reverse("certificate_verify", args=[certificate.code])
    statuses = [client.get(url).status_code for _ in range(7)]
    assert statuses[:5] == [200] * 5
    assert statuses[5:] == [429, 429]


def test_the_pdf_is_one_a4_page_with_the_details():
    from datetime import date

    pdf = certificate_pdf_render(CertificateContent(
        academy_name="Digital Academy", learner_name="Sam Okafor",
        course_title="Agile foundations", completed_on=date(2026, 11, 29),
        code="abc123", verify_url="https://academy.example/certificates/verify/abc123/",
    ))
    assert pdf.startswith(b"%PDF-")
    assert pdf.count(b"/Type /Pages") == 1
    assert b"/Count 1" in pdf
    assert b"/MediaBox [ 0 0 841.8898 595.2756 ]" in pdf  # A4 landscape, in points
    assert b"Sam Okafor" in pdf


def test_the_pdf_opens_and_its_qr_code_reads_back_as_the_verify_url(tmp_path):
    import shutil
    import subprocess
    from datetime import date

    from tests.conftest import require_tool

    require_tool("pdftoppm", "poppler-utils")
    require_tool("zbarimg", "zbar-tools")
    url = "https://academy.example.gov.uk/certificates/verify/Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5/"
    (tmp_path / "c.pdf").write_bytes(certificate_pdf_render(CertificateContent(
        academy_name="Digital Academy", learner_name="Sam Okafor",
        course_title="Agile foundations", completed_on=date(2026, 11, 29),
        code="Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5", verify_url=url,
    )))
    subprocess.run([shutil.which("pdftoppm"), "-r", "100", "-png", "-singlefile",
                    tmp_path / "c.pdf", tmp_path / "page"], check=True, timeout=60)
    decoded = subprocess.run([shutil.which("zbarimg"), "-q", "--raw", tmp_path / "page.png"],
                             capture_output=True, text=True, timeout=60, check=True)
    assert decoded.stdout.strip() == url
