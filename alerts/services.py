"""Early warnings (预警): who is told when an indicator turns to a warning status, the list
they open, and the daily e-mail digest."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.roles import LEADER, REVIEWER
from indicators.models import AttainmentResult, Indicator
from indicators.wording import status_text

from .models import EarlyWarning
from .transitions import WARNING_STATUSES, standings, turns


def warning_standings(*, plan_id=None, indicator_ids=None):
    """The stored standings a recompute of this scope may change (transitions.standings):
    every one of a plan or of some indicators, only the warning ones when every plan is
    recomputed (one query each way; the recompute itself rewrites every row)."""
    results = AttainmentResult.objects.order_by()
    if plan_id is not None:
        results = results.filter(plan_id=plan_id)
    elif indicator_ids:
        results = results.filter(indicator_id__in=indicator_ids)
    else:
        results = results.filter(status__in=[str(s) for s in WARNING_STATUSES])
    return standings(results.values_list("indicator_id", "region_id", "year", "status"))


def warnings_raise(before, after, *, before_complete=True):
    """Record a warning for each standing that turned (transitions.turns), for the indicator's
    department's reviewers and for the leaders whose region holds the plan's; returns them."""
    changes = turns(before, after, before_complete=before_complete)
    if not changes:
        return []
    indicators = Indicator.objects.select_related("plan").in_bulk(
        {indicator for (indicator, _r, _y), _o, _n in changes}
    )
    users = get_user_model().objects.filter(is_active=True)
    reviewers = {}
    for user in users.filter(
        groups__name=REVIEWER,
        profile__department_id__in={i.department_id for i in indicators.values()},
    ).select_related("profile"):
        reviewers.setdefault(user.profile.department_id, []).append(user)
    leaders = list(users.filter(groups__name=LEADER).select_related("profile__department__region"))
    covered = {}  # leader -> the regions under their department's
    for leader in leaders:
        department = getattr(getattr(leader, "profile", None), "department", None)
        covered[leader.pk] = None if department is None else set(department.region.descendant_ids())
    warnings = []
    for (indicator_id, region_id, year), old, new in changes:
        indicator = indicators[indicator_id]
        told = {u.pk: u for u in reviewers.get(indicator.department_id, [])}
        for leader in leaders:
            regions = covered[leader.pk]
            if regions is None or indicator.plan.region_id in regions:
                told[leader.pk] = leader
        warnings += [
            EarlyWarning(
                recipient=user,
                indicator=indicator,
                region_id=region_id,
                year=year,
                old_status=old,
                new_status=new,
            )
            for user in told.values()
        ]
    return EarlyWarning.objects.bulk_create(warnings)


def unread_warnings(user):
    """The warnings a user has not opened, newest first."""
    return EarlyWarning.objects.filter(recipient=user, read_at__isnull=True).select_related(
        "indicator", "region"
    )


@transaction.atomic
def warnings_open(user, *, limit=200):
    """A user's latest warnings, each with `was_unread`; opening them marks them read."""
    warnings = list(
        EarlyWarning.objects.filter(recipient=user).select_related("indicator__plan", "region")[
            :limit
        ]
    )
    unread = [w.pk for w in warnings if w.read_at is None]
    now = timezone.now()
    EarlyWarning.objects.filter(pk__in=unread).update(read_at=now)
    for warning in warnings:
        warning.was_unread = warning.pk in unread
        warning.read_at = warning.read_at or now
    return warnings


def warning_sentence(warning):
    """ "P-23 产品质量合格率(嘉兴市,2024年):▲ 符合序时进度 → ◆ 滞后"."""
    where = _("%(region)s,%(year)s年") % {"region": warning.region.name, "year": warning.year}
    if warning.old_status:
        change = _("由 %(old)s 转为 %(new)s") % {
            "old": status_text(warning.old_status),
            "new": status_text(warning.new_status),
        }
    else:
        change = _("转为 %(new)s") % {"new": status_text(warning.new_status)}
    return _("%(code)s %(name)s(%(where)s):%(change)s") % {
        "code": warning.indicator.code,
        "name": warning.indicator.name,
        "where": where,
        "change": change,
    }


def warning_digests_send(now=None):
    """One e-mail a day to each person with warnings not yet mailed, listing them all; a
    person already mailed today waits for tomorrow. Returns the number of e-mails sent."""
    now = now or timezone.now()
    midnight = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(now), datetime.time.min)
    )
    waiting = {}
    for warning in (
        EarlyWarning.objects.filter(mailed_at__isnull=True)
        .exclude(recipient__email="")
        .select_related("recipient", "indicator", "region")
        .order_by("recipient_id", "created_at", "pk")
    ):
        waiting.setdefault(warning.recipient, []).append(warning)
    mailed_today = set(
        EarlyWarning.objects.filter(
            recipient__in=list(waiting), mailed_at__gte=midnight
        ).values_list("recipient_id", flat=True)
    )
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for recipient, warnings in waiting.items():
            if recipient.pk in mailed_today:
                continue
            lines = "\n".join(f"  {warning_sentence(w)}" for w in warnings)
            send_mail(
                subject=_("【质量规划预警】%(count)s 项指标需要关注") % {"count": len(warnings)},
                message=_(
                    "%(name)s:\n\n以下指标的完成状态转为滞后、严重滞后、逆向或未达标:\n\n"
                    "%(lines)s\n\n请登录系统查看。"
                )
                % {"name": recipient.get_full_name() or recipient.get_username(), "lines": lines},
                from_email=None,
                recipient_list=[recipient.email],
            )
            EarlyWarning.objects.filter(pk__in=[w.pk for w in warnings]).update(mailed_at=now)
            sent += 1
    return sent
