"""Deadline reminders to departments with missing or returned figures."""

import datetime

from django.core.mail import send_mail

from .models import PlanYear
from .selectors import missing_entries

REMIND_DAYS_BEFORE = 7


def _recipients(department):
    emails = [department.email] if department.email else []
    emails += [p.user.email for p in department.members.select_related("user") if p.user.email]
    return sorted(set(emails))


def send_deadline_reminders(today: datetime.date) -> int:
    """Email each department that still owes figures; returns the number of emails sent."""
    due_days = [today, today + datetime.timedelta(days=REMIND_DAYS_BEFORE)]
    sent = 0
    for plan_year in PlanYear.objects.filter(due_date__in=due_days, is_locked=False).select_related(
        "plan__region"
    ):
        for department, indicators in missing_entries(plan_year.plan, plan_year.year).items():
            recipients = _recipients(department)
            if not recipients:
                continue
            plan = plan_year.plan
            when = "今天" if plan_year.due_date == today else f"{REMIND_DAYS_BEFORE}天后"
            listing = "\n".join(f"  {i.code} {i.name}" for i in indicators)
            body = (
                f"{department.name}:\n\n"
                f"{plan.title} {plan_year.year}年数据的填报截止日期为"
                f"{plan_year.due_date:%Y年%m月%d日}。"
                f"以下 {len(indicators)} 项指标尚未提交或已被退回:\n\n{listing}\n\n"
                "请登录系统填报并提交审核。"
            )
            send_mail(
                subject=f"【质量规划填报提醒】{plan.title} {plan_year.year}年数据{when}截止",
                message=body,
                from_email=None,
                recipient_list=recipients,
            )
            sent += 1
    return sent
