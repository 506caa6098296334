"""Bulk inserts of many plain rows (roster imports) without the ORM's per-value SQL compilation.

`QuerySet.bulk_create` prepares every value of every row through the field machinery and builds one large
SQL string per batch; profiled on a 20,000-row roster that took 9 of the 12 seconds of the insert, the
database itself 1.1. Here the value of a plain text, integer, boolean or foreign-key column goes to the
driver as it is (the driver adapts those types itself); every other field (dates, times, JSON, custom
fields) still goes through `get_db_prep_save`, and `pre_save` still fills auto_now fields. Rows go to
PostgreSQL with COPY (executemany there is one statement per row: 44 s for 200,000 rows of a roster) and
to SQLite with executemany (a C loop over one prepared statement). Primary keys are not read back:
callers look the rows up by a unique key.
"""

from django.db import connection, models
from django.db.models.fields import AutoFieldMixin

# Exact classes whose Python value the drivers (sqlite3, psycopg) store unchanged; subclasses may
# override get_db_prep_value, so they take the general path.
PASSTHROUGH = {
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
    models.BooleanField,
    models.ForeignKey,
    models.OneToOneField,
}


def fast_insert(model, objs, *, batch_size: int = 2000) -> int:
    """Insert the unsaved instances `objs` (no signals, no pk read back); returns the number of rows."""
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoFieldMixin) and not f.generated]
    plain = [type(f) in PASSTHROUGH and not getattr(f, "auto_now", False) for f in fields]
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        qn(model._meta.db_table),
        ", ".join(qn(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )

    def row(obj):
        return [
            getattr(obj, f.attname) if is_plain else f.get_db_prep_save(f.pre_save(obj, True), connection)
            for f, is_plain in zip(fields, plain, strict=True)
        ]

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            columns = ", ".join(qn(f.column) for f in fields)
            with cursor.cursor.copy(f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
                for obj in objs:
                    copy.write_row(row(obj))
            return len(objs)
        for start in range(0, len(objs), batch_size):
            cursor.executemany(sql, [row(o) for o in objs[start : start + batch_size]])
    return len(objs)
