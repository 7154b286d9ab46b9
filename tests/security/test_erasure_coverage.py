"""Erasure covers everything that can hold a person's data, not only foreign keys:
third-party tables, admin logs, stored files and exports, search indexes, caches and
task results (learners.privacy_tables). The coverage check walks every model of every
installed app, so a table it has never seen, even one made in a test, is a gap."""

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.cache import cache
from django.db import models
from django.db.models import TextField
from django.db.models.functions import Cast
from django.test import RequestFactory, override_settings
from django.test.utils import isolate_apps
from django_ratelimit.core import get_usage
from wagtail.models import ModelLogEntry

from academy.models import Export
from learners.models import (
    BulkEnrolment,
    Certificate,
    Enrolment,
    LearningLogEntry,
    Organisation,
)
from learners.privacy import learner_erase
from learners.privacy_tables import ERASED, privacy_gaps, privacy_tables
from tests.factories import UserFactory
from tests.hr.conftest import reporter
from tests.learners.conftest import lessons_of

EMAIL = "zebedee.quuxworth@example.gov.uk"
NAME = ("Zebedee", "Quuxworth")


def test_every_table_file_store_cache_and_result_store_is_classified():
    assert privacy_gaps() == []


def test_the_coverage_check_finds_a_table_added_in_the_test_itself():
    with isolate_apps("learners") as registry:
        class SupportTicket(models.Model):  # noqa: DJ008
            reporter_email = models.CharField(max_length=254)

            class Meta:
                app_label = "learners"

        class ScannedForm(models.Model):  # noqa: DJ008
            scan = models.FileField()

            class Meta:
                app_label = "learners"

        gaps = privacy_gaps(models_=[*apps.get_models(), *registry.get_models()])
    assert "table learners.SupportTicket" in gaps
    assert "table learners.ScannedForm" in gaps
    assert "file field learners.ScannedForm.scan" in gaps


LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


@override_settings(CELERY_RESULT_BACKEND="redis://127.0.0.1:6379/9",
                   CACHES={"default": LOCMEM, "sessions": LOCMEM})
def test_the_coverage_check_finds_a_new_cache_and_a_task_result_store():
    gaps = privacy_gaps()
    assert "cache sessions" in gaps
    assert any(gap.startswith("celery result backend") for gap in gaps)


def test_every_classification_gives_a_reason_and_erased_tables_scrub_nothing():
    for label, handling in privacy_tables().items():
        assert handling.reason, label
        assert not (handling.kind == ERASED and handling.scrub), label
        model = apps.get_model(label)
        for name in handling.scrub:
            assert isinstance(model._meta.get_field(name),
                              models.CharField | models.TextField | models.JSONField), name


def _text_fields(model):
    return [f for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)]


def _rows_naming(needles) -> list[str]:
    """Every row of every table whose text or JSON holds any of `needles`."""
    found = []
    for model in apps.get_models():
        for field in _text_fields(model):
            text = Cast(field.name, TextField())
            for needle in needles:
                hits = (model._default_manager.annotate(_t=text)
                        .filter(_t__icontains=needle).values_list("pk", flat=True))
                found += [f"{model._meta.label}.{field.name} #{pk}: {needle}" for pk in hits]
    return found


@pytest.mark.postgres
def test_erasing_a_learner_leaves_their_email_and_name_in_no_table(client, site, course):
    department = Organisation.add_root(name="Department", slug="department")
    learner = UserFactory(email=EMAIL, first_name=NAME[0], last_name=NAME[1],
                          organisation=department)
    Enrolment.objects.create(user=learner, course=course)
    lesson = lessons_of(course)[0]
    LearningLogEntry.objects.create(user=learner, lesson=lesson, block_id="b1",
                                    activity_title="Think", answer="My manager, Zebedee...")
    # A wrong password: django-axes logs the address, IP and user agent.
    client.post("/sign-in/", {"username": EMAIL, "password": "not-the-password"},
                HTTP_USER_AGENT="Firefox of Zebedee")
    # Sign-up attempts for the address are counted in the cache, keyed by it
    # (learners.views._too_many).
    _sign_ups_for_the_address(increment=True)
    # An admin changed their account (Django's admin log names them) and Wagtail's.
    admin = UserFactory(email="admin@example.gov.uk", is_superuser=True, is_staff=True)
    LogEntry.objects.log_actions(user_id=admin.pk, queryset=[learner], action_flag=CHANGE,
                                 change_message="Changed email.")
    ModelLogEntry.objects.log_action(learner, "wagtail.edit", user=admin)
    # HR uploaded a file naming them, and exported a report with them in it.
    hr = reporter(site, department)
    BulkEnrolment.objects.create(created_by=hr, filename="q1.csv", status="done",
                                 rows=[{"email": EMAIL, "course": course.pk}],
                                 check_report={"rejected": [{"row": 3, "email": EMAIL}]})
    client.force_login(hr)
    client.post("/reports/exports/", {"format": "csv"})
    export = Export.objects.get()
    assert EMAIL.encode() in export.file.open("rb").read()
    export_file = export.file.name
    assert _rows_naming([EMAIL]), "the test put the address somewhere"
    assert _sign_ups_for_the_address() == 1

    learner_erase(user=learner)

    assert _rows_naming([EMAIL, " ".join(NAME), f"{NAME[1]}, {NAME[0]}"]) == []
    assert not Export.objects.exists()
    assert not Export.file.field.storage.exists(export_file)
    assert not LearningLogEntry.objects.exists()
    assert _sign_ups_for_the_address() == 0
    # What stays still counts, pointing at nobody identifiable.
    assert Enrolment.objects.filter(user=learner).count() == 1
    assert BulkEnrolment.objects.get().rows[0]["course"] == course.pk
    assert not Certificate.objects.filter(learner_name__icontains=NAME[1]).exists()


def _sign_ups_for_the_address(*, increment=False) -> int:
    return get_usage(RequestFactory().post("/sign-up/"), group="sign-up-address",
                     rate=settings.SIGN_UP_RATE_PER_ADDRESS, key=lambda *_: EMAIL,
                     increment=increment)["count"]


@pytest.fixture(autouse=True)
def _cache_cleared():
    yield
    cache.clear()
