"""A realistic big hall for the display tests: the example hall grown to 20 windows, with long
Chinese department names, and a mid-day scene driven through the real queue broker."""

from __future__ import annotations

import tomllib

from hallcall.config.loader import EXAMPLE_HALL
from hallcall.config.schema import HallConfig
from tests.support.hall import unthrottled

NEW_DEPARTMENTS = [
    (
        "estate",
        "E",
        "不动产登记中心（房屋产权与抵押登记）",
        "Real Estate Registration (Property & Mortgage)",
    ),
    (
        "social",
        "F",
        "人力资源和社会保障局（社保医保参保登记）",
        "Human Resources & Social Security",
    ),
    (
        "market",
        "G",
        "市场监督管理局（企业开办与个体工商户登记）",
        "Market Regulation (Business Registration)",
    ),
    (
        "entry",
        "H",
        "公安局出入境管理（护照与港澳通行证）",
        "Exit & Entry (Passports & Travel Permits)",
    ),
]
CLERKS = [
    ("欧阳明轩", "Ouyang Mingxuan"),
    ("司马晓雯", "Sima Xiaowen"),
    ("诸葛文博", "Zhuge Wenbo"),
    ("上官婉清", "Shangguan Wanqing"),
    ("慕容思远", "Murong Siyuan"),
    ("皇甫佳怡", "Huangfu Jiayi"),
    ("令狐子涵", "Linghu Zihan"),
    ("东方一鸣", "Dongfang Yiming"),
    ("端木雨桐", "Duanmu Yutong"),
    ("公孙浩然", "Gongsun Haoran"),
    ("宇文静怡", "Yuwen Jingyi"),
    ("长孙俊杰", "Zhangsun Junjie"),
]


def big_hall() -> HallConfig:
    data = tomllib.loads(EXAMPLE_HALL.read_text(encoding="utf-8"))
    data["hall"]["notice"] = {
        "zh": "请携带身份证或校园卡原件办理业务；老年人、残疾人、孕妇请走绿色通道。办理不动产登记请提前准备好产权证明。",
        "en": "Please bring your ID or campus card. Green channel for the elderly, disabled visitors and expectant mothers.",
    }
    for dep_id, prefix, zh, en in NEW_DEPARTMENTS:
        data["departments"].append(
            {
                "id": dep_id,
                "prefix": prefix,
                "name": {"zh": zh, "en": en},
                "matters": [{"id": "general", "name": {"zh": "综合业务", "en": "General matters"}}],
            }
        )
    for i in range(9, 21):
        dep = NEW_DEPARTMENTS[(i - 9) // 3][0]
        data["windows"].append({"id": f"w{i:02d}", "number": i, "departments": [dep]})
        zh, en = CLERKS[i - 9]
        data["staff"].append(
            {
                "id": f"s{i:03d}",
                "name": {"zh": zh, "en": en},
                "department": dep,
                "post": "A" if i % 2 else "B",
                "pin_hash": data["staff"][0]["pin_hash"],  # the example's demo PIN
            }
        )
    # a registrar clerk with a long name for the flex window w08
    data["staff"].append(
        {
            "id": "s104",
            "name": {"zh": "买买提·艾合买提", "en": "Maimaiti Aihemaiti"},
            "department": "registrar",
            "post": "B",
            "pin_hash": data["staff"][0]["pin_hash"],
        }
    )
    data["devices"].append({"kind": "sign", "id": "sign-w12", "window": "w12"})
    return unthrottled(HallConfig.model_validate(data))


#: window -> clerk who logs in, for the mid-day scene (w07, a flex window, stays closed; so does w20)
LOGINS = {
    "w01": "s101",
    "w02": "s103",
    "w03": "s201",
    "w04": "s202",
    "w05": "s301",
    "w06": "s401",
    "w08": "s104",
    **{f"w{i:02d}": f"s{i:03d}" for i in range(9, 20)},
}
#: the windows that call someone (the rest are open and idle, or paused)
CALLING = [
    "w01",
    "w02",
    "w03",
    "w04",
    "w05",
    "w06",
    "w08",
    "w09",
    "w10",
    "w12",
    "w13",
    "w15",
    "w16",
    "w18",
]
PAUSED = "w17"
PAUSE_REASON = "系统维护"


def ok(reply: dict) -> dict:
    assert reply["ok"], reply
    return reply["data"]


def drive_midday(device, issue_per_department: int = 4) -> dict:
    """Issue tickets, log clerks in, call, recall once, pause one window. Returns what happened."""
    kiosk = device("kiosk", "kiosk-1")
    departments = ["registrar", "finance", "student-affairs", "international"] + [
        d[0] for d in NEW_DEPARTMENTS
    ]
    for _ in range(issue_per_department):
        for dep in departments:
            ok(kiosk.request("ticket.issue", department=dep))
    windows = {w: device("window", w) for w in LOGINS}
    for w, staff in LOGINS.items():
        ok(windows[w].request("window.login", staff=staff, post="A", pin="2468"))
    called = []
    for w in CALLING:
        called.append((w, ok(windows[w].request("call.next"))["ticket"]["number"]))
    ok(windows["w03"].request("call.recall"))
    ok(windows[PAUSED].request("window.pause", reason=PAUSE_REASON))
    return {"kiosk": kiosk, "windows": windows, "called": called}
