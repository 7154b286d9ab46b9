"""HR changes required learning in a real browser on the demo academy: change the due
date (an error first), give one person more time (an error first), withdraw. Every page
and error state passes axe-core (WCAG 2.2 AA)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.e2e.conftest import axe_violations, screenshot, sign_in

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def check(page, name):
    violations = axe_violations(page)
    screenshot(page, name)
    assert violations == [], f"{name}: {violations}"


def fill_date(page, day):
    page.fill("#id_due_on_day", str(day.day))
    page.fill("#id_due_on_month", str(day.month))
    page.fill("#id_due_on_year", str(day.year))


def test_hr_changes_extends_and_withdraws_required_learning(page, academy):
    today = timezone.localdate()
    new_due, extended = today + timedelta(days=40), today + timedelta(days=70)
    sign_in(page, "hr@example.gov.uk")
    page.goto("/reports/required-learning/")
    check(page, "required-learning-list")

    page.get_by_role("link", name=re.compile(r"^Change ")).first.click()
    page.wait_for_load_state()
    check(page, "required-learning-change")
    page.fill("#id_due_on_month", "")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_load_state()
    assert "Due date must include a month" in page.content()
    check(page, "required-learning-change-errors")
    fill_date(page, new_due)
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_load_state()
    assert "due dates are being updated" in page.content()
    check(page, "required-learning-detail")

    page.get_by_role("link", name=re.compile(r"^Extend deadline")).first.click()
    page.wait_for_load_state()
    check(page, "required-learning-extend")
    fill_date(page, today - timedelta(days=400))
    page.get_by_role("button", name="Extend the deadline").click()
    page.wait_for_load_state()
    assert "The new due date must be after the current due date" in page.content()
    assert "Enter the reason for the extension" in page.content()
    check(page, "required-learning-extend-errors")
    fill_date(page, extended)
    page.fill("#id_reason", "Returning from parental leave")
    page.get_by_role("button", name="Extend the deadline").click()
    page.wait_for_load_state()
    assert f"now has until {extended:%-d %B %Y}" in page.content()

    page.goto("/reports/required-learning/")
    page.get_by_role("link", name=re.compile(r"^Withdraw ")).first.click()
    page.wait_for_load_state()
    check(page, "required-learning-withdraw")
    page.get_by_role("button", name="Withdraw").click()
    page.wait_for_load_state()
    assert "is no longer required" in page.content()
    assert f"Withdrawn on {today:%-d %B %Y}" in page.content()
    check(page, "required-learning-list-withdrawn")
