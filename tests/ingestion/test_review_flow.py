"""From an uploaded document to a published plan, through the admin."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import Baseline, Indicator, Plan, SourceConflict, Target
from indicators.values import plain_decimal
from ingestion import review
from ingestion.models import PlanDocument, TargetProposal
from regions.models import Region

from ..conftest import make_user
from .conftest import make_docx

ADD = reverse("admin:ingestion_plandocument_add")
PROPOSALS = reverse("admin:ingestion_targetproposal_changelist")


def change_url(doc):
    return reverse("admin:ingestion_plandocument_change", args=[doc.pk])


def publish_url(doc):
    return reverse("admin:ingestion_plandocument_publish", args=[doc.pk])


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def upload(client, name, data, **fields):
    region = Region.objects.get(code="330400")
    post = {"region": region.pk, "title": "", "period_start": "", "period_end": ""}
    post.update(fields)
    return client.post(ADD, {"file": SimpleUploadedFile(name, data), **post}, follow=True)


def stored_files(media_root):
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


def changelist_post(response, edits):
    """The POST of the editable proposal list as shown, with `edits` {pk: {field: value}}."""
    formset = response.context["cl"].formset
    data = {
        f"{formset.prefix}-TOTAL_FORMS": str(formset.total_form_count()),
        f"{formset.prefix}-INITIAL_FORMS": str(formset.initial_form_count()),
        "_save": "保存",
    }
    for form in formset.forms:
        values = {"id": form.instance.pk}
        for name in form.fields:
            if name == "id":
                continue
            value = form.initial.get(name)
            if isinstance(value, Decimal):
                value = plain_decimal(value)
            values[name] = "" if value is None else value
        values.update(edits.get(form.instance.pk, {}))
        data.update({f"{form.prefix}-{k}": v for k, v in values.items()})
    return data


def act(client, action, proposals, note=""):
    return client.post(
        PROPOSALS,
        {"action": action, "_selected_action": [p.pk for p in proposals], "note": note},
        follow=True,
    )


@pytest.mark.django_db
def test_upload_review_and_publish(client, alice, plans, media_root):
    client.force_login(alice)

    # Upload: the document is read and the extractor's proposals stored, all pending.
    response = upload(client, "某市规划.docx", make_docx())
    assert response.status_code == 200
    doc = PlanDocument.objects.get()
    assert (doc.kind, doc.original_name, doc.title) == (
        "docx",
        "某市规划.docx",
        "某市“十四五”质量发展规划",
    )
    assert (doc.period_start, doc.period_end, doc.uploaded_by) == (2021, 2025, alice)
    assert doc.state == "draft" and len(stored_files(media_root)) == 1
    proposals = {p.name: p for p in doc.proposals.all()}
    assert set(proposals) == {
        "制造业产品质量合格率",
        "国家标准",
        "产品质量抽查合格率",
        "消费品不合格发现率",
        "培育“品字标”企业(累计)",
    }
    assert {p.decision for p in proposals.values()} == {"pending"}
    assert any("识别出 5 条目标" in m for m in messages_of(response))

    # The document page shows the proposals beside the text, each quote marked.
    page = client.get(change_url(doc)).content.decode()
    rate = proposals["产品质量抽查合格率"]
    assert f'id="q-{rate.pk}"' in page and f'id="p-{rate.pk}"' in page
    assert '<mark class="q q-pending"' in page and "文件原文" in page

    # The proposal list filters by document, decision, confidence band and comparator.
    listing = client.get(PROPOSALS, {"document__id__exact": doc.pk, "confidence_band": "high"})
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 5
    lte = client.get(PROPOSALS, {"comparator__exact": "lte", "decision__exact": "pending"})
    assert [p.name for p in lte.context["cl"].result_list] == ["消费品不合格发现率"]
    assert client.get(PROPOSALS, {"confidence_band": "low"}).context["cl"].result_count == 0

    # A reviewer corrects one proposal in the list.
    short = proposals["国家标准"]
    listing = client.get(PROPOSALS, {"document__id__exact": doc.pk})
    data = changelist_post(listing, {short.pk: {"name": "主导制修订国家标准"}})
    response = client.post(PROPOSALS + f"?document__id__exact={doc.pk}", data, follow=True)
    assert response.status_code == 200, response.content.decode()
    short.refresh_from_db()
    assert short.name == "主导制修订国家标准"
    assert short.history.first().history_change_reason == "审核修改识别结果"
    assert short.history.first().history_user == alice
    doc.refresh_from_db()
    assert doc.state == "reviewing"

    # An edit that leaves the target incomplete is refused.
    listing = client.get(PROPOSALS, {"document__id__exact": doc.pk})
    data = changelist_post(listing, {short.pk: {"target_value": ""}})
    response = client.post(PROPOSALS + f"?document__id__exact={doc.pk}", data)
    assert "缺少目标值" in response.content.decode()
    short.refresh_from_db()
    assert short.target_value == 30

    # Accept four, leave one pending: publishing is refused.
    keep = [p for name, p in proposals.items() if name != "消费品不合格发现率"]
    response = act(client, "accept", keep, note="与原文核对")
    assert any("已接受 4 条" in m for m in messages_of(response))
    page = client.get(publish_url(doc)).content.decode()
    assert "还有 1 条识别结果待审核" in page and "确认发布" not in page
    response = client.post(publish_url(doc), {"slug": "demo-14"}, follow=True)
    assert any("还有 1 条识别结果待审核" in m for m in messages_of(response))
    assert not Plan.objects.filter(slug="demo-14").exists()

    # Reject the last one; the publish action leads to the publish page.
    act(client, "reject", [proposals["消费品不合格发现率"]])
    response = client.post(
        reverse("admin:ingestion_plandocument_changelist"),
        {"action": "publish", "_selected_action": [doc.pk]},
    )
    assert response.status_code == 302 and response["Location"] == publish_url(doc)
    page = client.get(publish_url(doc))
    assert page.context["form"].initial["slug"] == "330400-2021-2025"
    response = client.post(
        publish_url(doc),
        {"slug": "demo-14", "issuer": "某市人民政府", "issued_on": "2021-10-08"},
        follow=True,
    )
    assert response.status_code == 200
    assert any("共 4 项指标" in m for m in messages_of(response))

    # The plan holds the accepted proposals only, with their targets and baselines.
    plan = Plan.objects.get(slug="demo-14")
    assert (plan.title, plan.region.code, plan.is_synthetic) == (doc.title, "330400", False)
    assert (plan.period_start, plan.period_end, plan.issuer) == (2021, 2025, "某市人民政府")
    indicators = list(plan.indicators.order_by("code"))
    assert [i.code for i in indicators] == ["P-01", "P-02", "P-03", "P-04"]
    assert [i.name for i in indicators] == [
        "制造业产品质量合格率",
        "主导制修订国家标准",
        "产品质量抽查合格率",
        "培育“品字标”企业(累计)",
    ]
    table_row = indicators[2]
    assert table_row.source_ref == "表1"
    assert table_row.source_text == "产品质量抽查合格率 | % | 94 | 96以上"
    target = table_row.targets.get()
    assert (target.year, target.comparator, target.value, target.raw) == (2025, "gte", 96, "96以上")
    assert target.source_text == table_row.source_text
    baseline = table_row.baselines.get()
    assert (baseline.year, baseline.value, baseline.raw) == (2020, 94, "94")
    assert indicators[3].measure == "cumulative"
    assert not Indicator.objects.filter(plan=plan, name="消费品不合格发现率").exists()
    doc.refresh_from_db()
    assert (doc.state, doc.published_plan) == ("published", plan)

    # Every step is in the history, with who and why.
    reasons = {h.history_change_reason for h in TargetProposal.history.filter(id=rate.pk)}
    assert reasons == {"规划文件识别", "接受识别结果:与原文核对"}
    assert rate.history.first().history_user == alice
    rejected = TargetProposal.objects.get(name="消费品不合格发现率")
    assert (rejected.decision, rejected.decided_by) == ("rejected", alice)
    assert rejected.decided_at is not None
    for model in (Indicator, Target, Baseline):
        rows = model.history.filter(history_change_reason=review.PUBLISH_REASON)
        assert rows.count() == (4 if model is not Baseline else 2)
        assert {h.history_user for h in rows} == {alice}
    assert doc.history.first().history_change_reason == review.PUBLISH_REASON

    # Once published, nothing more is decided or published from this document.
    response = act(client, "reopen", [rate])
    assert any("所属规划文件已发布" in m for m in messages_of(response))
    assert client.get(publish_url(doc)).context["problems"] == ["该规划文件已发布。"]
    edit = reverse("admin:ingestion_targetproposal_change", args=[rate.pk])
    assert 'name="_save"' not in client.get(edit).content.decode()


@pytest.mark.django_db
def test_a_malformed_docx_is_refused_and_nothing_is_stored(client, alice, plans, media_root):
    client.force_login(alice)
    response = upload(client, "坏文件.docx", b"PK\x03\x04 not really a word file")
    assert response.status_code == 200
    assert "不是有效的 Word(.docx)文档" in response.content.decode()
    assert not PlanDocument.objects.exists() and not TargetProposal.objects.exists()
    assert stored_files(media_root) == []
    response = upload(client, "规划.xlsx", b"whatever")
    assert "不支持的文件类型(.xlsx)" in response.content.decode()
    assert not PlanDocument.objects.exists()


@pytest.mark.django_db
def test_a_document_with_no_targets(client, alice, plans):
    client.force_login(alice)
    text = "关于召开质量工作会议的通知\n请各单位准时参加。\n".encode("gb18030")
    response = upload(client, "通知.txt", text, period_start="2021", period_end="2025")
    assert any("未从文件中识别出任何目标" in m for m in messages_of(response))
    doc = PlanDocument.objects.get()
    assert (doc.kind, doc.title, doc.proposals.count()) == ("txt", "关于召开质量工作会议的通知", 0)
    assert client.get(change_url(doc)).status_code == 200
    page = client.get(publish_url(doc)).content.decode()
    assert "没有已接受的识别结果" in page
    with pytest.raises(Exception, match="没有已接受的识别结果"):
        review.publish(doc, user=alice, slug="nothing")
    assert not Plan.objects.filter(slug="nothing").exists()


@pytest.mark.django_db
def test_the_period_is_asked_for_when_the_title_does_not_give_it(client, alice, plans):
    client.force_login(alice)
    response = upload(client, "方案.txt", "关于加快建设质量强市的实施方案\n".encode())
    assert "无法从文件标题推断规划期" in response.content.decode()
    response = upload(
        client, "方案.txt", "某市规划\n".encode(), period_start="2025", period_end="2021"
    )
    assert "规划起始年不能晚于终止年" in response.content.decode()
    assert not PlanDocument.objects.exists()


def _document(alice, text="某市“十四五”质量发展规划\n"):
    return PlanDocument.objects.create(
        file="x.txt",
        original_name="x.txt",
        kind="txt",
        text=text,
        region=Region.objects.get(code="330400"),
        title="某市规划",
        period_start=2021,
        period_end=2025,
        uploaded_by=alice,
    )


def _proposal(doc, **fields):
    values = {
        "name": "产品质量合格率",
        "unit": "%",
        "comparator": "gte",
        "measure": "level",
        "direction": "higher",
        "target_year": 2025,
        "target_value": Decimal("96"),
        "source": "表1",
        "raw": "96",
        "quote": "产品质量合格率 | % | 96",
        "confidence": 0.95,
        **fields,
    }
    return TargetProposal.objects.create(document=doc, **values)


@pytest.mark.django_db
def test_two_accepted_statements_that_disagree_are_marked_as_a_conflict(alice, plans):
    doc = _document(alice)
    table = _proposal(doc)
    box = _proposal(doc, source="专栏5", raw="22", target_value=Decimal("22"), quote="合格率22%")
    other = _proposal(doc, name="标准数", comparator="qualitative", target_value=None, raw="开展")
    review.decide([table, box, other], "accepted", user=alice)
    plan = review.publish(doc, user=alice, slug="conflicted")
    conflict = SourceConflict.objects.get(plan=plan)
    assert "表1为96" in conflict.description and "专栏5为22" in conflict.description
    assert set(Target.objects.filter(conflict=conflict).values_list("value", flat=True)) == {
        Decimal("96"),
        Decimal("22"),
    }
    qualitative = Target.objects.get(indicator__plan=plan, comparator="qualitative")
    assert (qualitative.value, qualitative.qualitative_text) == (None, "开展")


@pytest.mark.django_db
def test_an_incomplete_proposal_cannot_be_accepted(alice, plans):
    doc = _document(alice)
    broken = _proposal(doc, comparator="range", target_value_max=None)
    changed, refused = review.decide([broken], "accepted", user=alice)
    assert changed == 0 and "区间目标需要不小于目标值的目标上限" in refused[0]
    broken.refresh_from_db()
    assert broken.decision == "pending"


@pytest.mark.django_db
def test_a_missed_target_can_be_added_by_hand_from_the_text(client, alice, plans):
    client.force_login(alice)
    doc = _document(alice, text="某市规划\n到2025年,\n质量投诉处理率达到 98% 以上。\n")
    add = reverse("admin:ingestion_targetproposal_add")
    post = {
        "document": doc.pk,
        "name": "质量投诉处理率",
        "unit": "%",
        "comparator": "gte",
        "measure": "level",
        "direction": "higher",
        "target_year": "2025",
        "target_value": "98",
        "source": "正文",
        "raw": "98%以上",
    }
    response = client.post(add, {**post, "quote": "没有这句话"})
    assert "规划文件中找不到这段原文" in response.content.decode()
    response = client.post(add, {**post, "quote": "到2025年,质量投诉处理率达到98%以上。"})
    assert response.status_code == 302
    added = TargetProposal.objects.get(document=doc)
    assert (added.position, added.decision) == (doc.text.index("到2025年"), "pending")
    assert added.history.first().history_change_reason == "人工补录识别目标"


@pytest.mark.django_db
def test_permissions(client, alice, plans):
    doc = _document(alice)
    _proposal(doc, decision="accepted")
    reviewer = make_user("rita")
    reviewer.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="ingestion",
            codename__in=["view_plandocument", "view_targetproposal", "change_targetproposal"],
        )
    )
    client.force_login(reviewer)
    assert client.get(PROPOSALS).status_code == 200
    assert client.get(publish_url(doc)).status_code == 403
    reviewer.user_permissions.add(Permission.objects.get(codename="publish_plandocument"))
    assert client.get(publish_url(doc)).status_code == 200
