from django.urls import path

from academy import jobs, trainer_views
from academy.api import api
from academy.managers import views as manager_views
from academy.reports import compliance_views, hr_views, required_views, views

urlpatterns = [
    path("reports/", views.report, name="report"),
    path("reports/exports/", views.export_create, name="export_create"),
    path("reports/exports/<uuid:job_id>/", jobs.job_status, {"kind": "export"},
         name="export_status"),
    path("reports/exports/<uuid:job_id>/status.json", jobs.job_status_json,
         {"kind": "export"}, name="export_status_json"),
    path("reports/exports/<uuid:export_id>/download/", views.export_download,
         name="export_download"),
    path("reports/compliance/", compliance_views.compliance, name="compliance"),
    path("reports/required-learning/", required_views.required_learning,
         name="required_learning"),
    path("reports/required-learning/<int:assignment_id>/",
         required_views.required_learning_detail, name="required_learning_detail"),
    path("reports/required-learning/<int:assignment_id>/change/",
         required_views.required_learning_change, name="required_learning_change"),
    path("reports/required-learning/<int:assignment_id>/withdraw/",
         required_views.required_learning_withdraw, name="required_learning_withdraw"),
    path("reports/required-learning/<int:assignment_id>/extend/<int:enrolment_id>/",
         required_views.required_learning_extend, name="required_learning_extend"),
    path("reports/bulk-enrolment/", hr_views.bulk_enrolment, name="bulk_enrolment"),
    path("reports/bulk-enrolment/<int:job_id>/", jobs.job_status, {"kind": "bulk_enrolment"},
         name="bulk_enrolment_status"),
    path("reports/bulk-enrolment/<int:job_id>/status.json", jobs.job_status_json,
         {"kind": "bulk_enrolment"}, name="bulk_enrolment_status_json"),
    path("reports/bulk-enrolment/<int:job_id>/check/", hr_views.bulk_enrolment_check,
         name="bulk_enrolment_check"),
    path("reports/bulk-enrolment/<int:job_id>/confirm/", hr_views.bulk_enrolment_confirm,
         name="bulk_enrolment_confirm"),
    path("reports/bulk-enrolment/template.csv", hr_views.bulk_enrolment_template,
         {"file_format": "csv"}, name="bulk_enrolment_template"),
    path("reports/bulk-enrolment/template.xlsx", hr_views.bulk_enrolment_template,
         {"file_format": "xlsx"}, name="bulk_enrolment_template_xlsx"),
    path("my-team/", manager_views.my_team, name="my_team"),
    path("reports/people/", manager_views.people_lookup, name="people_lookup"),
    path("reports/people/<int:user_id>/line-manager/", manager_views.person_line_manager,
         name="person_line_manager"),
    path("reports/people/<int:user_id>/team/", manager_views.person_team, name="person_team"),
    path("trainer/", trainer_views.trainer_dashboard, name="trainer_dashboard"),
    path("trainer/courses/<int:course_id>/", trainer_views.trainer_course, name="trainer_course"),
    path("api/v1/", api.urls),
]
