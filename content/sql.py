"""Model rows read by hand-written SQL, as the ORM would give them.

For the few reads on every page where the ORM spent longer building a query than
PostgreSQL spent running it (issue 15: the learner's enrolment on a lesson, the page a
course URL routes to). The SQL is written once per process from the models' own table
and column names; values are always bound, never put in the text. Each such read has a
test holding it to the ORM's answer."""

import itertools
import json
from datetime import UTC

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils.dateparse import parse_datetime


class ModelColumns:
    """A model's columns for a SELECT: quoted and qualified by each table's alias (a
    page's columns are in two tables, Wagtail's and its own), and a row made into an
    instance with each value as the ORM would give it (the field's and the database's
    converters, e.g. JSON). Without `attnames`, every concrete field; the others are
    deferred, as with QuerySet.only()."""

    def __init__(self, model, *, aliases: dict, attnames=None):
        fields = [field for field in model._meta.concrete_fields
                  if attnames is None or field.attname in attnames]
        if attnames is not None and len(fields) != len(attnames):
            raise ValueError(f"{model.__name__} lacks one of {attnames}")
        quote = connection.ops.quote_name
        # In the model's own order, as Model.from_db takes them.
        self.model, self.attnames = model, tuple(field.attname for field in fields)
        self.sql = ", ".join(f"{aliases[field.model]}.{quote(field.column)}" for field in fields)
        self.converters = [
            [*connection.ops.get_db_converters(field.get_col(aliases[field.model])),
             *field.get_db_converters(connection)]
            for field in fields]

    def instance(self, values):
        converted = []
        for value, converters in zip(values, self.converters, strict=True):
            for converter in converters:
                value = converter(value, None, connection)
            converted.append(value)
        return self.model.from_db(connection.alias, self.attnames, converted)

    def __len__(self):
        return len(self.attnames)


def sql_table(model) -> str:
    """A model's table name, quoted for this database."""
    return connection.ops.quote_name(model._meta.db_table)


def sql_column(model, name: str) -> str:
    """The column of a model's field (`name`, as the ORM names it), quoted."""
    return connection.ops.quote_name(model._meta.get_field(name).column)


def model_tables(model, first_alias: str = "t") -> tuple[str, dict]:
    """FROM and JOINs for a model and the concrete models it inherits from (Wagtail's
    page table first), and each model's alias: `t0` for the first, and so on."""
    quote = connection.ops.quote_name
    chain = [*reversed(model._meta.get_parent_list()), model]
    aliases = {link: f"{first_alias}{index}" for index, link in enumerate(chain)}
    sql = f"{quote(chain[0]._meta.db_table)} {aliases[chain[0]]}"
    for parent, child in itertools.pairwise(chain):
        pointer = child._meta.parents[parent]
        sql += (f" JOIN {quote(child._meta.db_table)} {aliases[child]}"
                f" ON {aliases[child]}.{quote(pointer.column)} = {aliases[parent]}."
                f"{quote(parent._meta.pk.column)}")
    return sql, aliases


def in_list(values) -> tuple[str, list]:
    """`IN (%s, ...)` for a list of values, and the values to bind: on PostgreSQL and
    SQLite alike (`make run`'s database has no `= ANY(array)`). An empty list matches
    nothing."""
    values = list(values)
    if not values:
        return "IN (NULL)", []
    return f"IN ({', '.join(['%s'] * len(values))})", values


def json_rows(columns: list[str], rest: str, *, json_columns=()) -> str:
    """A scalar subquery giving the rows of `SELECT columns rest` as one JSON array of
    arrays, so a few small related lists come back in the row that needs them rather
    than in a query each. On PostgreSQL and SQLite alike; read it with json_rows_read.
    `json_columns` are columns holding JSON (kept as JSON, not as its text)."""
    if connection.vendor == "postgresql":
        return f"(SELECT json_agg(json_build_array({', '.join(columns)})) {rest})"
    items = ", ".join(f"json({column})" if column in json_columns else column
                      for column in columns)
    return f"(SELECT json_group_array(json_array({items})) {rest})"


def json_rows_read(value) -> list[list]:
    """The rows of a json_rows column: PostgreSQL's driver gives them parsed (None for
    no rows), SQLite gives the text."""
    if value is None:
        return []
    if isinstance(value, str):
        return json.loads(value)
    return value


def json_datetime(value: str | None):
    """A timestamp from a json_rows column as the ORM gives it: aware, in UTC (SQLite
    stores it without its zone)."""
    if value is None:
        return None
    moment = parse_datetime(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def values_in(values, db_type: str = "bigint"):
    """The right-hand side of a `field__in=` for many values (a bulk file's chunk of
    5,000 people): on PostgreSQL one bound array, `IN (SELECT unnest(%s::bigint[]))`,
    where Django writes a placeholder for each value and psycopg parses them all out of
    the query's text again (issue 15: a quarter of a bulk enrolment chunk's time);
    elsewhere the values as they are. `db_type` is the array's element type, named here
    in code (never from input)."""
    values = list(values)
    if connection.vendor != "postgresql":
        return values
    return RawSQL(f"SELECT unnest(%s::{db_type}[])", [values])  # noqa: S611  # nosec B611


def column_max(model, name: str):
    """MAX of one of a model's columns over its whole table, as
    `model.objects.aggregate(Max(name))` gives it, in SQL written here: compiling the
    ORM's aggregate was a sixteenth of the completion report's time (issue 15)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX({sql_column(model, name)}) FROM {sql_table(model)}")  # noqa: S608  # nosec B608 - names from the model
        return cursor.fetchone()[0]


_inserts: dict[tuple, str] = {}


def row_insert(model, **values) -> None:
    """One row of a model, by its fields' names, each value made ready for the database
    by the field itself (as save() does: JSON, dates), without building a model
    instance or compiling the ORM's INSERT (issue 15: a sixteenth of the completion
    report's time, for its audit record). Sends no signal; fills in no defaults: name
    every column that has no database default."""
    fields = [model._meta.get_field(name) for name in values]
    key = (model, tuple(values))
    sql = _inserts.get(key)
    if sql is None:
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        marks = ", ".join(["%s"] * len(fields))
        sql = _inserts[key] = (f"INSERT INTO {sql_table(model)} ({columns}) "  # noqa: S608  # nosec B608 - names from the model
                               f"VALUES ({marks})")
    params = [field.get_db_prep_save(value, connection)
              for field, value in zip(fields, values.values(), strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
