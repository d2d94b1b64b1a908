from django.db import connection
from django.http import JsonResponse

from dashboards.cache import cache_available


def healthz(request):
    """For load balancers and compose: the database must answer; the cache is reported."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # noqa: BLE001 - any failure means the database is not usable
        database = "down"
    body = {"database": database, "cache": "ok" if cache_available() else "down"}
    return JsonResponse(body, status=200 if database == "ok" else 503)
