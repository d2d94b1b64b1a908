"""The review flow: proposals read from a document, decisions on them, and publishing.

Nothing unreviewed reaches a plan: a document is published only when every proposal has
been accepted or rejected, and only the accepted ones become indicators.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from indicators.changes import mark_change
from indicators.models import Baseline, Comparator, Indicator, Plan, SourceConflict, Target
from indicators.services.runs import results_touched
from indicators.values import plain_decimal

from .extract import extract
from .models import PlanDocument, TargetProposal

EXTRACT_REASON = "规划文件识别"
PUBLISH_REASON = "由规划文件识别发布"
# django-simple-history keeps at most this many characters of a change reason.
REASON_LENGTH = 100


def _reason(text, note=""):
    text = f"{text}:{note.strip()}" if note and note.strip() else str(text)
    return text[:REASON_LENGTH]


def _fit(model, field, value):
    value = value or ""
    return value[: model._meta.get_field(field).max_length]


def propose(document: PlanDocument, *, user=None) -> list[TargetProposal]:
    """Run the extractor on the document's text and store what it finds, all pending."""
    found = extract(
        document.text, period_start=document.period_start, period_end=document.period_end
    )
    rows = [
        TargetProposal(
            document=document,
            name=_fit(TargetProposal, "name", p.name),
            category=_fit(TargetProposal, "category", p.category),
            unit=_fit(TargetProposal, "unit", p.unit),
            comparator=p.comparator,
            measure=p.measure,
            direction=p.direction,
            target_year=p.target_year,
            year_implied=p.year_implied,
            target_value=p.target_value,
            target_value_max=p.target_value_max,
            qualitative_text=p.qualitative_text or "",
            baseline_year=p.baseline_year,
            baseline_value=p.baseline_value,
            source=_fit(TargetProposal, "source", p.source),
            raw=_fit(TargetProposal, "raw", p.raw),
            quote=p.quote,
            position=p.position,
            confidence=p.confidence,
        )
        for p in found
    ]
    return bulk_create_with_history(
        rows, TargetProposal, default_user=user, default_change_reason=EXTRACT_REASON
    )


def start_review(document: PlanDocument, user) -> None:
    if document.state == PlanDocument.State.DRAFT:
        document.state = PlanDocument.State.REVIEWING
        mark_change(document, user=user, reason=_("开始审核"))
        document.save(update_fields=["state"])


def decide(proposals, decision: str, *, user, note: str = "") -> tuple[int, list[str]]:
    """Accept, reject or reopen proposals. Returns (how many changed, refusals)."""
    reasons = {
        TargetProposal.Decision.ACCEPTED: _("接受识别结果"),
        TargetProposal.Decision.REJECTED: _("驳回识别结果"),
        TargetProposal.Decision.PENDING: _("重新待审核"),
    }
    changed, refused = 0, []
    now = timezone.now()
    documents = {}
    for p in proposals:
        if p.document.is_published:
            refused.append(_("%(p)s:所属规划文件已发布。") % {"p": p.name})
            continue
        if decision == TargetProposal.Decision.ACCEPTED and p.problems():
            refused.append(f"{p.name}:{''.join(p.problems())}")
            continue
        if p.decision == decision:
            continue
        p.decision = decision
        pending = decision == TargetProposal.Decision.PENDING
        p.decided_by, p.decided_at = (None, None) if pending else (user, now)
        mark_change(p, user=user, reason=_reason(reasons[decision], note))
        p.save()
        documents[p.document_id] = p.document
        changed += 1
    for document in documents.values():
        start_review(document, user)
    return changed, refused


def publish_problems(document: PlanDocument) -> list[str]:
    """Why the document cannot be published now (Chinese), or [] when it can."""
    if document.is_published:
        return [_("该规划文件已发布。")]
    proposals = list(document.proposals.all())
    pending = [p for p in proposals if p.decision == TargetProposal.Decision.PENDING]
    accepted = [p for p in proposals if p.decision == TargetProposal.Decision.ACCEPTED]
    out = []
    if pending:
        out.append(
            _("还有 %(n)d 条识别结果待审核:请逐条接受或驳回后再发布。") % {"n": len(pending)}
        )
    if not accepted:
        out.append(_("没有已接受的识别结果,无可发布的指标。"))
    for p in accepted:
        if p.problems():
            out.append(f"#{p.pk} {p.name}:{''.join(p.problems())}")
    return out


def default_slug(document: PlanDocument) -> str:
    base = f"{document.region.code}-{document.period_start}-{document.period_end}"
    slug, n = base, 1
    while Plan.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def duplicate_names(document: PlanDocument) -> list[str]:
    """Names accepted more than once for one year (the reviewer may have kept a restatement)."""
    seen = defaultdict(list)
    for p in document.proposals.filter(decision=TargetProposal.Decision.ACCEPTED):
        seen[(p.name, p.target_year)].append(p)
    return [f"{name}({year})" for (name, year), ps in seen.items() if len(ps) > 1]


@transaction.atomic
def publish(document: PlanDocument, *, user, slug: str, issuer: str = "", issued_on=None) -> Plan:
    """Create the plan: one indicator per accepted proposal, with its target and baseline.

    All or nothing. Raises ValidationError (Chinese) when a proposal is still pending,
    nothing is accepted, an accepted proposal is incomplete or the slug is taken. Where
    two accepted proposals give one indicator different values for the same year, both are
    kept and a SourceConflict marks them for a person to resolve (DOMAIN.md §2).
    """
    document = PlanDocument.objects.select_for_update().get(pk=document.pk)
    problems = publish_problems(document)
    if Plan.objects.filter(slug=slug).exists():
        problems.append(_("标识 %(slug)s 已被其他规划使用。") % {"slug": slug})
    if problems:
        raise ValidationError(problems)
    plan = Plan(
        slug=slug,
        title=document.title,
        region=document.region,
        issuer=issuer,
        issued_on=issued_on,
        period_start=document.period_start,
        period_end=document.period_end,
        seed_file=_fit(Plan, "seed_file", document.original_name),
        notes=_("由规划文件识别发布:%(file)s(规划文件 #%(pk)d)。")
        % {"file": document.original_name, "pk": document.pk},
        is_synthetic=False,
    )
    mark_change(plan, user=user, reason=PUBLISH_REASON)
    plan.save()
    accepted = list(
        document.proposals.filter(decision=TargetProposal.Decision.ACCEPTED).order_by(
            "position", "pk"
        )
    )
    conflicts = _conflicts(plan, accepted, user)
    for n, p in enumerate(accepted, start=1):
        source_ref = _fit(Indicator, "source_ref", p.source) or _("规划文件")
        indicator = Indicator(
            plan=plan,
            code=f"P-{n:02d}",
            name=p.name,
            category=p.category,
            unit=p.unit,
            direction=p.direction,
            measure=p.measure,
            source_ref=source_ref,
            source_text=p.quote,
            notes=_("由识别结果 #%(pk)d 发布(置信度 %(c).2f)。") % {"pk": p.pk, "c": p.confidence},
        )
        mark_change(indicator, user=user, reason=PUBLISH_REASON)
        indicator.save()
        qualitative = p.comparator == Comparator.QUALITATIVE
        target = Target(
            indicator=indicator,
            year=p.target_year,
            year_implied=p.year_implied,
            comparator=p.comparator,
            value=None if qualitative else p.target_value,
            value_max=p.target_value_max if p.comparator == Comparator.RANGE else None,
            qualitative_text=(p.qualitative_text or p.raw) if qualitative else "",
            raw=_fit(Target, "raw", p.raw),
            source_ref=source_ref,
            source_text=p.quote,
            conflict=conflicts.get(p.pk),
        )
        mark_change(target, user=user, reason=PUBLISH_REASON)
        target.save()
        if p.baseline_year is not None:
            baseline = Baseline(
                indicator=indicator,
                year=p.baseline_year,
                value=p.baseline_value,
                raw="" if p.baseline_value is None else str(plain_decimal(p.baseline_value)),
                source_ref=source_ref,
                source_text=p.quote,
            )
            mark_change(baseline, user=user, reason=PUBLISH_REASON)
            baseline.save()
    document.state = PlanDocument.State.PUBLISHED
    document.published_plan = plan
    mark_change(document, user=user, reason=PUBLISH_REASON)
    document.save(update_fields=["state", "published_plan"])
    results_touched(plan_ids=[plan.pk], scope=PUBLISH_REASON)
    return plan


def _conflicts(plan, accepted, user) -> dict[int, SourceConflict]:
    """Accepted proposals naming one indicator and year with different targets."""
    groups = defaultdict(list)
    for p in accepted:
        groups[(p.name, p.target_year)].append(p)
    out = {}
    for (name, year), ps in groups.items():
        if len({(p.comparator, p.target_value, p.target_value_max) for p in ps}) < 2:
            continue
        stated = ",".join(f"{p.source or _('原文')}为{p.raw}" for p in ps)
        conflict = SourceConflict(
            plan=plan,
            key=f"conflict-{ps[0].pk}",
            description=_("%(name)s %(year)d年目标:%(stated)s")
            % {"name": name, "year": year, "stated": stated},
        )
        mark_change(conflict, user=user, reason=PUBLISH_REASON)
        conflict.save()
        for p in ps:
            out[p.pk] = conflict
    return out
