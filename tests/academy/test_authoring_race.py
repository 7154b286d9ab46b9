"""Issue 13, what was seen: "Save draft" racing Wagtail's autosave gave a 500. Two
saves of one new course at the same moment, in two threads on the real database: the
second must get a form error, never a 500 or a second course. Transactional (the threads
need committed data), so its data is built with factories, not the demo academy."""

import pytest
from django.contrib.auth.models import Group

from academy.setup import TRAINERS
from tests.academy.test_authoring import PASSWORD, sign_in
from tests.academy.test_authoring_fixes import _new_course_form
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.postgres


@pytest.fixture
def trainer_and_catalogue(catalogue):
    TopicFactory(name="Agile ways of working", slug="agile")
    trainer = UserFactory(email="trainer.race@example.gov.uk", password=PASSWORD)
    trainer.groups.add(Group.objects.get(name=TRAINERS))
    return trainer, catalogue


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_saves_of_a_new_course_at_the_same_moment_are_never_a_500(trainer_and_catalogue):
    """The race itself: two requests pass the form's slug check together; the second
    to reach the database must give a form error, never a 500 or a second course."""
    import threading

    from django.db import connection
    from django.test import Client

    from courses.models import CoursePage

    trainer, catalogue = trainer_and_catalogue
    url = f"/admin/pages/add/courses/coursepage/{catalogue.pk}/"
    clients = [Client(), Client()]
    for c in clients:
        sign_in(c, trainer.email)
    forms = [_new_course_form(c, catalogue, trainer) for c in clients]
    barrier = threading.Barrier(2)
    statuses = []

    def post(c, data):
        try:
            barrier.wait()
            statuses.append(c.post(url, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=pair)
               for pair in zip(clients, forms, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert 500 not in statuses
    assert sorted(statuses) == [200, 302]
    assert CoursePage.objects.filter(slug="working-in-the-open").count() == 1
