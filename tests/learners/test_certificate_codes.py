"""Certificate codes people can read aloud and type: Crockford base32, grouped, typed
in any case with or without hyphens and spaces; a form to type one; older codes keep
working; the PDF states the learning time."""

import re
import shutil
import subprocess
from datetime import date

import pytest
from django.urls import reverse

from learners.certificate_pdf import (
    CertificateContent,
    certificate_pdf_render,
    learning_time_display,
)
from learners.models import Certificate
from learners.services.certificates import certificate_code_new
from tests.conftest import require_tool

CROCKFORD = set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
OLD_CODE = "Zm9vYmFy-mF6cXV4MTIzNDU2_zg"  # 27 characters, as issued before


def grouped(code):
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def check(client, typed):
    return client.get(reverse("certificate_verify_form"), {"code": typed}, follow=True)


def test_new_codes_are_crockford_base32_with_at_least_100_random_bits():
    codes = {certificate_code_new() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert len(code) * 5 >= 100
        assert set(code) <= CROCKFORD
    # Every character of the alphabet turns up, in every position's mix.
    assert set("".join(codes)) == CROCKFORD


def test_an_issued_certificate_has_a_new_style_code(certificate):
    assert len(certificate.code) * 5 >= 100
    assert set(certificate.code) <= CROCKFORD
    assert certificate.learning_minutes == certificate.enrolment.course.duration_minutes


def test_the_verify_form_is_a_page_with_one_field(client, db):
    response = client.get("/certificates/verify/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Check a certificate" in page
    assert '<label class="govuk-label" for="id_code">Certificate code</label>' in page
    assert re.search(r"like [0-9A-Z]{4}(-[0-9A-Z]{4}){4}", page)  # the hint shows the format
    assert 'method="get"' in page
    assert "govuk-error-summary" not in page


@pytest.mark.parametrize("typing", [
    "exact", "lower case", "spaces", "no hyphens", "confusables", "padded",
])
def test_the_form_finds_a_certificate_however_its_code_is_typed(client, certificate, typing):
    code = certificate.code
    # Make a code with 0s and 1s in it, to type as O, I and L.
    code = "01" + code[2:-2] + "10"
    Certificate.objects.filter(pk=certificate.pk).update(code=code)
    typed = {
        "exact": grouped(code),
        "lower case": grouped(code).lower(),
        "spaces": grouped(code).replace("-", " "),
        "no hyphens": code,
        "confusables": "OI" + code[2:-2] + "lo",
        "padded": f"  {grouped(code).lower()}  ",
    }[typing]
    response = check(client, typed)
    assert response.redirect_chain == [(reverse("certificate_verify", args=[code]), 302)]
    page = response.content.decode()
    assert "This certificate is valid" in page
    assert "Sam Okafor" in page
    assert grouped(code) in page  # the verify page shows the code grouped


def test_the_verify_address_also_takes_a_typed_code(client, certificate):
    url = reverse("certificate_verify", args=[grouped(certificate.code).lower()])
    assert "This certificate is valid" in client.get(url).content.decode()


@pytest.mark.parametrize("typed", ["", "7K2M-9QXD-4HPA-WB3T-6RNE", "not a code", "x" * 500])
def test_an_unknown_code_is_an_error_on_the_form_with_no_details(client, certificate, typed):
    response = check(client, typed)
    assert response.status_code == 200
    assert response.redirect_chain == []
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "There is a problem" in page
    assert "Enter the code printed on the certificate, like 7K2M-" in page
    assert "Sam Okafor" not in page
    assert "Agile basics" not in page
    assert "This certificate is valid" not in page


def test_a_near_miss_gets_the_same_error_as_any_other_code(client, certificate):
    near = certificate.code[:-1] + ("A" if certificate.code[-1] != "A" else "B")
    far = check(client, "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ").content.decode()
    close = check(client, near).content.decode()
    strip = lambda page: page.replace(near, "").replace("ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ", "")  # noqa: E731
    assert re.sub(r'value="[^"]*"', "", strip(close)) == re.sub(r'value="[^"]*"', "", strip(far))


def test_an_old_style_code_still_verifies_at_its_address_and_on_the_form(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(code=OLD_CODE)
    by_address = client.get(f"/certificates/verify/{OLD_CODE}/")
    assert by_address.status_code == 200
    assert "This certificate is valid" in by_address.content.decode()
    assert OLD_CODE in by_address.content.decode()
    by_form = check(client, OLD_CODE)
    assert by_form.redirect_chain == [(reverse("certificate_verify", args=[OLD_CODE]), 302)]
    assert "This certificate is valid" in by_form.content.decode()
    # Old codes are case-sensitive: exact only.
    assert "This certificate is valid" not in check(client, OLD_CODE.lower()).content.decode()


def test_the_form_is_rate_limited_like_the_verify_page(client, certificate, settings):
    settings.CERTIFICATE_VERIFY_RATE = "5/m"
    statuses = [check(client, "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ").status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429, 429]
    assert "You have checked too many certificates" in check(
        client, certificate.code).content.decode()


@pytest.mark.parametrize(("minutes", "words"), [
    (180, "3 hours"), (90, "1 hour 30 minutes"), (45, "45 minutes"), (60, "1 hour"),
    (121, "2 hours 1 minute"),
])
def test_learning_time_in_words(minutes, words):
    assert learning_time_display(minutes) == words


def _pdf_text(tmp_path, pdf: bytes) -> str:
    require_tool("pdftotext", "poppler-utils")
    (tmp_path / "c.pdf").write_bytes(pdf)
    return subprocess.run([shutil.which("pdftotext"), tmp_path / "c.pdf", "-"],
                          capture_output=True, text=True, timeout=60, check=True).stdout


def test_an_issued_pdf_states_the_learning_time_and_the_grouped_code(tmp_path, certificate):
    assert certificate.enrolment.course.duration_minutes == 90
    with certificate.file.open("rb") as f:
        text = _pdf_text(tmp_path, f.read())
    assert "Learning time: 1 hour 30 minutes" in text
    assert grouped(certificate.code) in text


def test_the_pdf_has_title_author_and_language(tmp_path):
    pdf = certificate_pdf_render(CertificateContent(
        academy_name="Digital Academy", learner_name="Sam Okafor",
        course_title="Agile foundations", completed_on=date(2026, 11, 29),
        code="7K2M-9QXD-4HPA-WB3T-6RNE", verify_url="https://academy.example/v/",
        learning_minutes=180,
    ))
    assert "Learning time: 3 hours" in _pdf_text(tmp_path, pdf)
    require_tool("pdfinfo", "poppler-utils")
    info = subprocess.run([shutil.which("pdfinfo"), tmp_path / "c.pdf"],
                          capture_output=True, text=True, timeout=60, check=True).stdout
    assert re.search(r"^Title:\s+Certificate: Agile foundations$", info, re.M)
    assert re.search(r"^Author:\s+Digital Academy$", info, re.M)
    assert b"/Lang (en-GB)" in pdf
