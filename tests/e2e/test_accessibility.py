"""Every public page type and state, checked by axe-core in a real browser against
WCAG 2.2 A and AA: zero violations. Screenshots at desktop and mobile widths."""

import pytest

from tests.e2e.conftest import axe_violations, screenshot, sign_in

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ANONYMOUS_PAGES = {
    "home": "/",
    "catalogue": "/courses/",
    "catalogue-filtered": "/courses/?level=introductory&format=self-paced",
    "catalogue-no-results": "/courses/?q=underwater+basket+weaving",
    "catalogue-search": "/courses/?q=kanban",
    "catalogue-search-typo": "/courses/?q=srcum",
    "catalogue-search-glossary": "/courses/?q=MVP",
    "course-anonymous": "/courses/agile-foundations/",
    "module": "/courses/agile-foundations/why-agile/",
    "glossary": "/glossary/",
    "sign-in": "/sign-in/",
    "sign-up": "/sign-up/",
    "password-reset": "/password-reset/",
    "accessibility-statement": "/accessibility/",
    "privacy": "/privacy/",
    "not-found": "/no-such-page/",
    "certificate-unknown": "/certificates/verify/not-a-real-code/",
}


def check(page, name, screenshot_it=True):
    violations = axe_violations(page)
    if screenshot_it:
        screenshot(page, f"{name}-desktop")
        page.set_viewport_size({"width": 375, "height": 800})
        screenshot(page, f"{name}-mobile")
        page.set_viewport_size({"width": 1280, "height": 900})
    assert violations == [], f"{name}: {violations}"


@pytest.mark.parametrize("name", sorted(ANONYMOUS_PAGES))
def test_anonymous_page_has_no_violations(page, name):
    page.goto(ANONYMOUS_PAGES[name])
    check(page, name)


def test_lesson_with_every_block_type(page, academy):
    page.goto(academy["lesson"])
    content = page.content()
    for text in ("Video: A stand-up in two minutes", "Check your understanding",
                 "Words used in this lesson", "Glossary: ", "Download: ", "Reflection"):
        assert text in content, text
    check(page, "lesson-every-block")


def test_knowledge_check_after_answering(page, academy):
    page.goto(academy["lesson"])
    first_check = page.locator(".app-knowledge-check").first
    first_check.locator("input[name=answer]").first.check()
    first_check.get_by_role("button", name="Check answer").click()
    page.wait_for_load_state()
    assert page.locator(".govuk-notification-banner").first.is_visible()
    check(page, "knowledge-check-answered")


def test_sign_up_with_errors(page):
    page.goto("/sign-up/")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()
    assert page.locator(".govuk-error-summary").is_visible()
    check(page, "sign-up-errors")


@pytest.mark.parametrize("which", ["valid", "revoked"])
def test_certificate_verify(page, academy, which):
    page.goto(f"/certificates/verify/{academy[which]}/")
    expected = "This certificate is valid" if which == "valid" else "has been revoked"
    assert expected in page.content()
    check(page, f"certificate-{which}")


def test_server_error_page(page, academy):
    from pathlib import Path

    page.goto("/")
    page.set_content((Path(__file__).resolve().parents[2] / "templates" / "500.html").read_text())
    check(page, "server-error", screenshot_it=False)


def test_learner_pages(page):
    sign_in(page, "learner@example.gov.uk")
    # The one demo course the demo learner is not on (required learning and a session
    # booking put them on the other three).
    page.goto("/courses/iterating-public-services/")
    page.get_by_role("button", name="Enrol on this course").click()
    page.wait_for_load_state()
    check(page, "course-enrolled")
    page.get_by_role("button", name="Start the course").click()
    page.wait_for_load_state()
    check(page, "lesson-enrolled")
    page.goto("/my-learning/")
    check(page, "my-learning")
    page.goto("/my-learning/log/")
    check(page, "learning-log")
    page.goto("/profile/")
    check(page, "profile")


def test_hr_pages(page, academy):
    sign_in(page, "hr@example.gov.uk")
    page.goto("/reports/?status=completed")
    check(page, "report-filtered")
    page.goto("/reports/exports/00000000-0000-4000-8000-000000000001/")
    assert page.locator("progress").is_visible()
    check(page, "export-in-progress")
    page.goto("/reports/")
    page.get_by_role("button", name="Export to Excel (.xlsx)").click()
    page.wait_for_selector("text=Your export is ready", timeout=30_000)
    check(page, "export-done")
    page.goto("/reports/bulk-enrolment/")
    page.set_input_files("input[type=file]", files=[{
        "name": "people.csv", "mimeType": "text/csv", "buffer": b"name,course\nSam,Agile\n"}])
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    assert "Missing: email" in page.content()
    check(page, "bulk-enrolment-errors")
    page.set_input_files("input[type=file]", files=[{
        "name": "people.csv", "mimeType": "text/csv",
        "buffer": b"email,course,due_date\nnobody@example.gov.uk,No such course,31/02/2030\n"}])
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_selector("text=Check before you enrol")
    assert "1 row will not be enrolled" in page.content()
    check(page, "bulk-enrolment-check")
    page.goto("/reports/required-learning/")
    check(page, "required-learning")


def test_trainer_pages(page):
    sign_in(page, "trainer@example.gov.uk")
    page.goto("/trainer/")
    check(page, "trainer-dashboard")
    # The course's own link, not its session's ("Agile foundations, register").
    page.get_by_role("link", name="Agile foundations", exact=True).click()
    page.wait_for_load_state()
    check(page, "trainer-course")


def test_the_export_progress_bar_moves_on_its_own(page, academy):
    """The export left running at 40% is picked up by the worker; the page's script
    follows it to the end and shows the download, with no click or refresh."""
    from config.celery import app

    sign_in(page, "hr@example.gov.uk")
    page.goto("/reports/exports/00000000-0000-4000-8000-000000000001/")
    assert page.locator("progress").get_attribute("value") == "40"
    app.send_task("academy.tasks.export_build", args=["00000000-0000-4000-8000-000000000001"],
                  queue=academy["queue"])
    page.wait_for_selector("text=Your export is ready", timeout=30_000)
    assert page.locator("a[data-download]").is_visible()
