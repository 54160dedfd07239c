"""The words of the route sheets and ``summary.md`` in another language than English.

The writers say every word in English through a :class:`Lang`: ``lang("{turn} onto {name},
{dist}", turn=lang("right"), name=..., dist=...)``. The English text is the key of a
language's table; a key it lacks stays English, so English needs no table and reads exactly
as the writers spell it. Street, depot and facility names, ids, vehicle types and the
planners' reasons for work left undone are data, written as the files give them.

Chinese (``zh``) is written for a sanitation driver or a volunteer in Zhengzhou: 右转进入汉中路，
350 米; 清扫右侧路沿; 到转运站倒垃圾.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

ZH: dict[str, str] = {
    # compass headings, turns, kerbs (the kerb words carry the verb: 清扫 / 巡查)
    "north": "北", "north-east": "东北", "east": "东", "south-east": "东南", "south": "南",
    "south-west": "西南", "west": "西", "north-west": "西北",
    "left": "左转", "right": "右转", "bear left": "向左前方", "bear right": "向右前方",
    "straight on": "直行", "turn round": "掉头",
    "right-hand kerb": "清扫右侧路沿", "left-hand kerb": "清扫左侧路沿",
    "centre line": "清扫道路中线", "right-hand side": "巡查右侧", "left-hand side": "巡查左侧",
    "{km} km": "{km} 公里", "{m} m": "{m} 米",
    # streets and places
    "the corner of {a} and {b}": "{a}与{b}路口", "a side street off {near}": "{near}旁的小路",
    "the meeting point": "集合地点",
    "unnamed road off {a} near {b}": "{a}旁的无名路（近{b}）",
    "unnamed road off {a}": "{a}旁的无名路",
    "unnamed {road_class} road at {lat}, {lon}": "无名路（{road_class}，{lat}, {lon}）",
    "motorway": "高速公路", "trunk": "快速路", "primary": "主干路", "secondary": "次干路",
    "tertiary": "支路", "residential": "街巷", "service": "内部道路", "alley": "小巷",
    # getting there
    "drive {heading} on {name}, {dist}": "沿{name}朝{heading}行驶，{dist}",
    "walk {heading} on {name}, {dist}": "沿{name}朝{heading}步行，{dist}",
    "continue on {name}, {dist}": "继续沿{name}直行，{dist}",
    "{turn} onto {name}, {dist}": "{turn}进入{name}，{dist}",
    # stops
    "leave": "出发", "leave {where}": "从{where}出发", "back at": "返回",
    "back at {where}": "返回{where}", "meet at {where}": "在{where}集合",
    "empty the hopper at {where}": "到{where}倒垃圾", "empty the hopper at": "倒垃圾",
    "fill water at {where}": "到{where}加水", "fill water at": "加水",
    "broke down here: wait for the tow": "车辆在此故障：等待拖车",
    "break, {min} min": "休息 {min} 分钟", "break, {min} min {where}": "在{where}休息 {min} 分钟",
    # a run along a street
    "continue on {name}": "继续沿{name}", "straight on into {name}": "直行进入{name}",
    "{turn} onto {name}": "{turn}进入{name}", ", {kerb}": "，{kerb}",
    ", from {a} to {b}": "，从{a}到{b}", "its end": "尽头", ", heading {heading}": "，朝{heading}",
    ", {dist}": "，{dist}", " ({gap} of it only passed along)": "（其中 {gap}只是经过）",
    " (drive {gap} of it without sweeping)": "（其中 {gap}空驶不扫）",
    # the header and the table
    "Route sheet: {label} ({type})": "路线单：车辆 {label}（{type}）",
    "Walk sheet: {label} ({mode})": "巡查单：{label}（{mode}）", "walk": "步行", "bike": "骑行",
    "All sheets": "全部路线单", "{key}: {value}": "{key}：{value}", "date": "日期",
    "depot": "车场", "meeting point": "集合地点", "driver": "司机", "helper": "助手",
    "volunteers": "志愿者", "{name} ({ident})": "{name}（{ident}）",
    "time": "时间", "get there": "前往", "do": "作业", "km": "公里",
    "; ": "；", "; then ": "；然后",
    "{start}-{end}: sweep {km} km, drive {empty} km empty, {all} km in all; {dumps} dump and "
    "{water} water stop(s)": "合计：{start}-{end}，清扫 {km} 公里，空驶 {empty} 公里，共 {all} 公里；"
                             "倒垃圾 {dumps} 次，加水 {water} 次",
    "; **{min} min past the shift end**": "；**超出班次结束时间 {min} 分钟**",
    "{start}-{end}: patrol {km} km of streets, walk {empty} km between them":
        "合计：{start}-{end}，巡查街道 {km} 公里，其间步行 {empty} 公里",
    "{start}-{end}: patrol {km} km of streets, ride {empty} km between them":
        "合计：{start}-{end}，巡查街道 {km} 公里，其间骑行 {empty} 公里",
    # a walk's cases
    "look at case {case} ({kind}, reported {ago}) on {name}, about {time}":
        "查看案件 {case}（{kind}，{ago}上报），在{name}，约 {time}",
    "today": "今天", "{n} day ago": "{n} 天前", "{n} days ago": "{n} 天前",
    "dirty street": "街面脏乱", "overflowing bin": "垃圾桶满溢", "illegal dumping": "乱倒垃圾",
    "broken facility": "设施损坏", "road damage": "道路破损", "illegal stall": "占道经营",
    "illegal parking": "违章停车", "blocked waterway": "水道堵塞", "graffiti": "乱涂乱画",
    "greenery damage": "绿化损坏", "other": "其他",
    # summary.md
    "# Plan summary": "# 清扫计划摘要", "# Plan summary for {date}": "# {date} 清扫计划摘要",
    "figure": "指标", "value": "数值", "status": "状态", "solved": "全部排定",
    "partial": "部分排定", "infeasible": "无可行方案", "no-work": "无作业",
    "checked": "校验", "feasible (independent checker)": "可行（独立校验通过）",
    "NOT checked feasible": "未通过可行性校验", "vehicles used": "使用车辆",
    "{n} of {m}": "{n} / {m}", "km swept": "清扫公里", "km driven empty": "空驶公里",
    "{km} ({pct} % of all driving)": "{km}（占全部行驶的 {pct} %）", "km driven": "行驶公里",
    "{km} (at least {bound} needed)": "{km}（至少需要 {bound}）", "sweeping rate": "清扫率",
    "{pct} % of the length to sweep": "应扫长度的 {pct} %",
    "passes left undone": "未完成清扫遍数", "overtime": "超时", "{min} min": "{min} 分钟",
    "cost": "费用", "## Vehicles": "## 车辆", "vehicle": "车辆", "type": "车型",
    "out": "出车", "back": "收车", "km empty": "空驶公里",
    "share of shift working": "作业时间占班次", " (nearly idle)": "（几乎闲置）",
    "stays in the yard": "留在车场", "district": "辖区", "routes": "路线数",
    "## By {what}": "## 按{what}", "## Work left undone": "## 未完成的作业",
    "None: every pass is in a route.": "无：每一遍清扫都已排进路线。",
    "(unnamed)": "（无名）", " and {n} more": "，另有 {n} 条", "{name} ({n})": "{name}（{n}）",
    ", ": "、",
    "- **{reason}**: {n} passes, {km} km: {listed}{more}":
        "- **{reason}**：{n} 遍，{km} 公里：{listed}{more}",
    "Every pass left undone is in `unassigned.csv` with its street and reason.":
        "每一遍未完成的清扫都列在 `unassigned.csv` 里，附街道和原因。",
}


@dataclass(frozen=True)
class Lang:
    """A language of the sheets: ``lang(english, **values)`` is the text in it."""

    code: str = "en"
    words: Mapping[str, str] = field(default_factory=dict)

    def __call__(self, text: str, **values: object) -> str:
        return self.words.get(text, text).format(**values)


EN = Lang()
LANGS: dict[str, Lang] = {"en": EN, "zh": Lang("zh", ZH)}


def lang_of(code: str | Lang) -> Lang:
    """The language named ``en`` or ``zh`` (a :class:`Lang` is returned as it is)."""
    if isinstance(code, Lang):
        return code
    try:
        return LANGS[code]
    except KeyError:
        raise ValueError(f"unknown language {code!r}: {', '.join(LANGS)}") from None
