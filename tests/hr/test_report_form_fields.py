"""The report's filter form shares the fields no form changes between its instances
(academy.reports.filters.FieldsCopiedWhereChanged, issue 15): what one form is given,
shows or gets wrong never shows in another's, and each viewer's choices are their own."""

from academy.reports.filters import ReportFilterForm
from tests.hr.conftest import date_parts, reporter


def test_one_forms_errors_and_values_never_show_in_another(hr, tree):
    wrong = ReportFilterForm({"enrolled_from_day": "31", "enrolled_from_month": "2",
                              "enrolled_from_year": "2026", "status": "nonsense",
                              "columns": ["grade"]}, viewer=hr)
    assert not wrong.is_valid()
    wrong_html = str(wrong)
    assert "Enrolled from must be a real date" in wrong_html

    import datetime

    right = ReportFilterForm(date_parts("enrolled_from", datetime.date(2026, 3, 1)),
                             viewer=hr)
    assert right.is_valid(), right.errors
    right_html = str(right)
    assert "must be a real date" not in right_html
    assert "govuk-input--error" not in right_html
    assert 'value="31"' not in right_html
    assert 'value="1"' in right_html
    assert 'value="grade" checked' not in right_html
    assert str(ReportFilterForm({}, viewer=hr)) == str(ReportFilterForm({}, viewer=hr))


def test_each_viewer_is_offered_only_their_own_organisations(site, hr, tree):
    policy = reporter(site, tree["policy"], email="policy@example.gov.uk")
    ours = ReportFilterForm({"organisation": "policy"}, viewer=hr)
    theirs = ReportFilterForm({"organisation": "policy"}, viewer=policy)
    assert not ours.is_valid()
    assert "organisation" in ours.errors
    assert theirs.is_valid(), theirs.errors
    assert ReportFilterForm({"organisation": "operations"}, viewer=hr).is_valid()
