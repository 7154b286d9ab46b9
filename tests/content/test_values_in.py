"""content.sql.values_in: many values for a `__in` lookup as one bound array on
PostgreSQL, with the same rows as the plain list would give (issue 15)."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from content.sql import values_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


def test_the_same_people_as_a_plain_list_by_id_and_by_text():
    people = [UserFactory(staff_number=f"S{i:04d}") for i in range(5)]
    wanted = {people[0].pk, people[3].pk, 987654321}
    assert set(User.objects.filter(pk__in=values_in(wanted)).values_list("pk", flat=True)) \
        == set(User.objects.filter(pk__in=wanted).values_list("pk", flat=True)) \
        == {people[0].pk, people[3].pk}
    numbers = {"S0001", "S0004", "nobody's"}
    assert set(User.objects.filter(staff_number__in=values_in(numbers, "text"))
               .values_list("pk", flat=True)) == {people[1].pk, people[4].pk}
    assert not User.objects.filter(pk__in=values_in([])).exists()


@pytest.mark.postgres
def test_on_postgresql_many_values_are_one_parameter_not_one_each():
    ids = list(range(1, 5001))
    with CaptureQueriesContext(connection) as queries:
        list(User.objects.filter(pk__in=values_in(ids)).values_list("pk", flat=True))
    sql = queries.captured_queries[0]["sql"]
    assert "IN (SELECT unnest(" in sql  # bound as one array
    assert "IN (1, 2, 3" not in sql  # not a placeholder for each
