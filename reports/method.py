"""How attainment is judged (DOMAIN.md §3), said in plain words for the documents people take
away: the workbook's 说明 sheet and the appendix of the implementation report."""

from django.utils.translation import gettext as _

from indicators import wording
from indicators.attainment import Status


def _share(share):
    return wording.percent(share, places=0)


def attainment_method():
    """The method as numbered statements, in the active language, with the thresholds of the
    settings."""
    on_track, lagging = wording.current_thresholds()
    name = wording.status_label
    rules = [
        _("没有经审核的实际值:%(status)s") % {"status": name(Status.NO_DATA)},
        _("无法判定是否达到目标:%(status)s") % {"status": name(Status.INDETERMINATE)},
        _("达到目标:%(status)s") % {"status": name(Status.ACHIEVED)},
        _("已到目标年份仍未达到,或“每年”类目标当年未达到:%(status)s")
        % {"status": name(Status.NOT_ACHIEVED)},
        _("基期已达到目标(如保持类目标),当年却未能保持:%(status)s")
        % {"status": name(Status.OFF_TRACK)},
        _("没有基期值,或序时进度为 0:%(status)s") % {"status": name(Status.INSUFFICIENT_DATA)},
        _("实际值较基期反向变化(目标进度为负):%(status)s") % {"status": name(Status.REGRESSING)},
        _("目标进度不低于序时进度的 %(share)s:%(status)s")
        % {"share": _share(on_track), "status": name(Status.ON_TRACK)},
        _("目标进度不低于序时进度的 %(share)s:%(status)s")
        % {"share": _share(lagging), "status": name(Status.LAGGING)},
        _("其余:%(status)s") % {"status": name(Status.OFF_TRACK)},
    ]
    return [
        _(
            "每个指标、每个区划、每个评价年份各判定一次。一个指标有多个目标年份时,"
            "以评价年份之后最近的目标代表该指标。"
        ),
        _("实际值:评价年份经审核的数值;“新增”类目标为规划期首年至评价年份各年审核值之和。"),
        _(
            "基期值:规划给出的基期值及其年份;规划未给出时,取规划期内最早的审核值及其年份;"
            "“新增”类目标的基期值为 0,基期年份为规划期首年的前一年。"
        ),
        _(
            "是否达标:按目标的表述判定(以上、超过、以下、低于、保持;区间以下限为准)。"
            "填报值带“以上”“以下”等字样时视为一个范围:范围内的值都达到目标为达标,"
            "都达不到为未达标,否则无法判定。"
        ),
        _("完成率 = 实际值 ÷ 目标值;越低越好的指标为 目标值 ÷ 实际值。"),
        _("目标进度 = (实际值 − 基期值) ÷ (目标值 − 基期值):从基期到目标已走完的比例。"),
        _(
            "序时进度 = (评价年份 − 基期年份) ÷ (目标年份 − 基期年份),在 0 到 100% 之间:"
            "规划时间已过去的比例。"
        ),
        _("以上比率保留四位小数(四舍五入)后再作比较。"),
        _("完成状态按以下顺序取第一条适用的规则:"),
        *(f"({n}) {rule}" for n, rule in enumerate(rules, start=1)),
        _(
            "定性目标:由责任单位依据佐证材料填报达标、推进中或未达标,经审核后采用;"
            "没有审核通过的填报为%(status)s。"
        )
        % {"status": name(Status.NO_DATA)},
        _(
            "预测值:过基期值和各年审核值作最小二乘直线,推算目标年份的数值,"
            "并判断届时能否达到目标;少于两个数据点时不预测。"
        ),
        _(
            "达标率 = 已达标的数值目标 ÷ 有审核数据的数值目标,定性目标另行统计;"
            "已填报的指标不到应填报指标的一半时,不计算达标率,记为“数据不足”。"
        ),
        _(
            "%(on_track)s 与 %(lagging)s 两个界限参照欧盟统计局(Eurostat)"
            "可持续发展目标进展评估方法。"
        )
        % {"on_track": _share(on_track), "lagging": _share(lagging)},
    ]
