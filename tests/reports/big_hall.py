"""A hall of twelve departments with government-length names and 24 clerks, and a month of
synthetic visit records for it: the report's layout must hold for any hall file, not only the
four short departments of the example."""

from __future__ import annotations

import random
import tomllib
from datetime import date, datetime, timedelta

from hallcall.broker.reports.records import Leg, VisitRecord
from hallcall.config.loader import EXAMPLE_HALL
from hallcall.config.schema import HallConfig
from tests.kiosk.long_names import DEPARTMENTS
from tests.support.hall import SHANGHAI, unthrottled
from tests.support.month import working_days

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋"


def twelve_department_hall() -> HallConfig:
    data = tomllib.loads(EXAMPLE_HALL.read_text(encoding="utf-8"))
    pin = data["staff"][0]["pin_hash"]
    data["departments"] = [
        {
            "id": dep_id,
            "prefix": chr(ord("A") + i),
            "name": {"zh": zh, "en": en},
            "matters": [
                {
                    "id": "general",
                    "name": {
                        "zh": "综合业务（咨询、受理与材料核验）",
                        "en": "General matters (enquiries, intake and document checks)",
                    },
                    "kind": "immediate",
                    "service_limit_min": 10,
                },
                {
                    "id": "permit",
                    "name": {
                        "zh": "许可审批与证照变更登记",
                        "en": "Permit approval and change of registration",
                    },
                    "kind": "time_limited",
                    "service_limit_min": 20,
                    "promised_days": 5,
                },
            ],
        }
        for i, (dep_id, zh, en) in enumerate(DEPARTMENTS)
    ]
    data["windows"] = [
        {"id": f"w{i + 1:02d}", "number": i + 1, "departments": [DEPARTMENTS[i // 2][0]]}
        for i in range(24)
    ]
    data["staff"] = [
        {
            "id": f"s{i + 1:03d}",
            "name": {"zh": SURNAMES[i] + "晓明", "en": f"Clerk Number {i + 1}"},
            "department": DEPARTMENTS[i // 2][0],
            "post": "A",
            "pin_hash": pin,
        }
        for i in range(24)
    ]
    data["devices"] = [d for d in data.get("devices", []) if d.get("kind") not in ("sign", "pad")]
    return unthrottled(HallConfig.model_validate(data))


def synthetic_month(
    config: HallConfig, start: date = date(2026, 11, 2), days: int = 20, seed: int = 12
) -> list[VisitRecord]:
    """Visits with waits, services, transfers and ratings drawn at random (layout, not figures)."""
    rng = random.Random(seed)
    deps = [d.id for d in config.departments]
    out = []
    n = 0
    for day in working_days(start, days):
        for _ in range(150):
            n += 1
            dep = rng.choice(deps)
            issued = datetime(day.year, day.month, day.day, 9, tzinfo=SHANGHAI) + timedelta(
                minutes=rng.randint(0, 400)
            )
            called = issued + timedelta(seconds=rng.randint(0, 3600))
            ended = called + timedelta(seconds=rng.randint(60, 1800))
            w = deps.index(dep) * 2 + rng.randint(0, 1)
            window, staff = f"w{w + 1:02d}", f"s{w + 1:03d}"
            legs = [Leg(dep, issued, called, called, window, staff, 0, ended, "finished")]
            score = rng.choices([3, 2, 1, None], [0.7, 0.1, 0.08, 0.12])[0]
            out.append(
                VisitRecord(
                    f"{day:%Y%m%d}-{n}",
                    f"A{n:03d}",
                    day,
                    issued,
                    dep,
                    dep,
                    rng.choice(["general", "permit", None]),
                    "finished",
                    "done",
                    False,
                    called,
                    window,
                    staff,
                    dep,
                    window,
                    staff,
                    called,
                    ended,
                    (),
                    (),
                    score,
                    3 if score else None,
                    (called - issued).total_seconds(),
                    (ended - called).total_seconds(),
                    tuple(legs),
                )
            )
    return out
