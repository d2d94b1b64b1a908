from django.db import connection
from django.http import JsonResponse

from dashboards.cache import cache_available
from indicators.models import AttainmentRun
from reports.models import ReportJob

# The background runs an administrator watches, by the name /healthz/ gives them.
RUN_KINDS = {"attainment": AttainmentRun, "report": ReportJob}


def stuck_runs():
    """Every run stuck past RUN_STUCK_AFTER_MINUTES, oldest first, as /healthz/ names it."""
    stuck = []
    for kind, model in RUN_KINDS.items():
        for pk, state, created_at, started_at in model.stuck().values_list(
            "pk", "state", "created_at", "started_at"
        ):
            since = started_at if state == model.State.RUNNING else created_at
            stuck.append({"kind": kind, "id": pk, "state": state, "since": since.isoformat()})
    return sorted(stuck, key=lambda s: s["since"])


def _database_answers():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means the database is not usable
        return False
    return True


def healthz(request):
    """For whoever watches the whole service: the database must answer and no background run
    may be stuck (503 names them); the cache is reported."""
    database = "ok" if _database_answers() else "down"
    body = {"database": database, "cache": "ok" if cache_available() else "down"}
    if database == "ok":
        stuck = stuck_runs()
        body["runs"] = "stuck" if stuck else "ok"
        if stuck:
            body["stuck"] = stuck
    healthy = database == "ok" and body["runs"] == "ok"
    return JsonResponse(body, status=200 if healthy else 503)


def healthz_live(request):
    """For the container's health check and load balancers: this process serves requests and
    reaches the database. A stuck background run is the workers' trouble, not this process's:
    restarting the web server would not mend it, so it is left to /healthz/."""
    database = "ok" if _database_answers() else "down"
    return JsonResponse({"database": database}, status=200 if database == "ok" else 503)
