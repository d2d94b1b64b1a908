"""Runs left running (a worker killed with its whole tree) or waiting past the limit are shown
to an administrator: in the admin's list of recomputes and on /healthz/, which answers 503
naming them. The broker gives an unacknowledged task back only after the longest task."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from indicators.models import AttainmentRun, Plan
from reports.models import ReportJob

from .test_deployment import env_example


def left(model, state, minutes_ago, **fields):
    run = model.objects.create(**fields)
    then = timezone.now() - timedelta(minutes=minutes_ago)
    model.objects.filter(pk=run.pk).update(state=state, started_at=then, created_at=then)
    return run


@pytest.mark.django_db
def test_healthz_answers_503_naming_the_runs_stuck_past_the_limit(client, plans, frank, settings):
    settings.RUN_STUCK_AFTER_MINUTES = 30
    plan = Plan.objects.get(slug="jiaxing-2011")
    left(AttainmentRun, "running", 5, scope="busy", plan=plan)
    assert client.get("/healthz/").status_code == 200
    assert client.get("/healthz/").json()["runs"] == "ok"

    stuck = left(AttainmentRun, "running", 45, scope="killed", plan=plan)
    report = left(ReportJob, "queued", 45, requested_by=frank)
    response = client.get("/healthz/")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok" and body["runs"] == "stuck"
    named = {(s["kind"], s["id"], s["state"]) for s in body["stuck"]}
    assert named == {("attainment", stuck.pk, "running"), ("report", report.pk, "queued")}
    # The web process itself is fine: the container's health check does not restart it.
    live = client.get("/healthz/live/")
    assert (live.status_code, live.json()) == (200, {"database": "ok"})

    AttainmentRun.objects.filter(pk=stuck.pk).update(state="done")
    ReportJob.objects.filter(pk=report.pk).update(state="failed")
    assert client.get("/healthz/").status_code == 200


@pytest.mark.django_db
def test_the_admin_lists_and_marks_stuck_recomputes(client, plans, grace, settings):
    settings.RUN_STUCK_AFTER_MINUTES = 30
    plan = Plan.objects.get(slug="jiaxing-2011")
    stuck = left(AttainmentRun, "running", 45, scope="killed", plan=plan)
    busy = left(AttainmentRun, "running", 5, scope="busy", plan=plan)
    client.force_login(grace)
    url = "/admin/indicators/attainmentrun/"
    page = client.get(url).content.decode()
    assert "超过 30 分钟" in page  # the stuck one is marked in the list
    shown = client.get(url, {"stuck": "yes"}).context["cl"].result_list
    assert list(shown) == [stuck]
    assert busy not in client.get(url, {"stuck": "yes"}).context["cl"].result_list


def test_the_broker_gives_a_task_back_only_after_the_longest_task_and_a_margin():
    limit = django_settings.CELERY_TASK_TIME_LIMIT
    visibility = django_settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert limit >= 10 * 60  # the nightly recompute at national scale takes about a minute
    assert visibility >= limit + 5 * 60
    assert limit < django_settings.RUN_STUCK_AFTER_MINUTES * 60
    from qualityplan.celery import app

    assert app.conf.task_time_limit == limit
    assert {
        "CELERY_TASK_TIME_LIMIT",
        "CELERY_VISIBILITY_TIMEOUT",
        "RUN_STUCK_AFTER_MINUTES",
    } <= set(env_example())
