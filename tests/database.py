"""The test database as the session set it up (migrated, the six plans loaded), kept as a
PostgreSQL template database.

A transactional test empties every table when it ends. The next test that needs the plans
gets them back by cloning the template, in a fraction of a second, instead of loading the
plan files again (seconds each time).
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections


def _template_name():
    return f"{connection.settings_dict['NAME']}_plans"


def _quoted(name):
    return connection.ops.quote_name(name)


def available():
    return connection.vendor == "postgresql"


def save():
    """Keep the test database as it is now as the template (replacing an older one)."""
    connections.close_all()  # CREATE DATABASE … TEMPLATE needs the source to itself
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {_quoted(_template_name())}")
        cursor.execute(
            f"CREATE DATABASE {_quoted(_template_name())} "
            f"TEMPLATE {_quoted(connection.settings_dict['NAME'])}"
        )


def restore():
    """Replace the test database by a clone of the template.

    Any connection still open to it (a killed worker's, a server thread's) is ended.
    """
    name = connection.settings_dict["NAME"]
    connections.close_all()
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE {_quoted(name)} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {_quoted(name)} TEMPLATE {_quoted(_template_name())}")
    # The flush that emptied the tables gave the content types new ids; the clone has the
    # old ones back.
    ContentType.objects.clear_cache()


def drop():
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {_quoted(_template_name())}")
