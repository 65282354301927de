"""A day of calls as the queue broker publishes them, without a broker (model tests, bench).

The payloads have the contract's shapes (core/src/hallcall/protocol/payloads.py): a catalog, one
retained state per window and department, and the newest-first `state/calls` list.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

LONG_NAMES = [
    ("不动产登记中心（房屋产权与抵押登记）", "Real Estate Registration (Property & Mortgage)"),
    ("人力资源和社会保障局（社保医保参保登记）", "Human Resources & Social Security"),
    ("市场监督管理局（企业开办与个体工商户登记）", "Market Regulation (Business Registration)"),
    ("公安局出入境管理（护照与港澳通行证）", "Exit & Entry (Passports & Travel Permits)"),
    ("税务局（个人所得税与发票业务）", "Tax Bureau (Income Tax & Invoices)"),
    ("公积金管理中心（提取与贷款）", "Housing Fund (Withdrawals & Loans)"),
    ("教务处（学籍与成绩）", "Registrar (Records & Transcripts)"),
    ("财务处（学费与报销）", "Finance Office (Fees & Reimbursement)"),
    # a government hall's longest names, for the waiting panel's fitting and paging
    (
        "医疗保障局（医保关系转移接续与异地就医备案）",
        "Healthcare Security Administration (Transfers & Out-of-Town Treatment)",
    ),
    ("民政局婚姻登记处（结婚与离婚登记）", "Civil Affairs Marriage Registry (Marriage & Divorce)"),
    (
        "住房和城乡建设局（商品房预售与备案）",
        "Housing & Urban-Rural Development (Pre-Sale Permits & Filing)",
    ),
    ("交通运输局（道路运输经营许可）", "Transport Bureau (Road Transport Operating Licences)"),
    (
        "卫生健康委员会（医师执业注册与出生医学证明）",
        "Health Commission (Physician Registration & Birth Certificates)",
    ),
    (
        "退役军人事务局（优抚安置与权益保障）",
        "Veterans Affairs (Benefits, Resettlement & Rights Protection)",
    ),
    (
        "残疾人联合会（残疾人证办理与补贴申领）",
        "Disabled Persons' Federation (Disability Cards & Allowances)",
    ),
    (
        "司法局公共法律服务中心（法律援助与公证咨询）",
        "Public Legal Services Centre (Legal Aid & Notary Advice)",
    ),
]
NOTICE = {"zh": "请提前准备好身份证原件。", "en": "Please have your ID card ready."}


class SyntheticHall:
    def __init__(
        self,
        windows: int = 20,
        departments: int = 8,
        calls_kept: int = 10,
        hall: str = "synthetic",
        notice: dict | None = NOTICE,
    ):
        if departments > len(LONG_NAMES):
            raise ValueError(f"at most {len(LONG_NAMES)} departments")
        self.hall = hall
        self.notice = notice
        self.calls_kept = calls_kept
        self.seq = itertools.count(1)
        self.deps = [
            {
                "id": f"d{i}",
                "name": {"zh": zh, "en": en},
                "prefix": chr(ord("A") + i),
                "matters": [],
            }
            for i, (zh, en) in enumerate(LONG_NAMES[:departments])
        ]
        self.windows = [
            {
                "id": f"w{i + 1:02d}",
                "number": i + 1,
                "flex": False,
                "departments": [self.deps[i % len(self.deps)]["id"]],
            }
            for i in range(windows)
        ]
        self.next_number = {d["id"]: 0 for d in self.deps}
        self.calls: list[dict] = []
        self.at = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
        self.ticket_ids = itertools.count(1)
        self.retained: dict[str, dict] = {}

    def _keep(self, messages: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
        for topic, payload in messages:
            self.retained[topic] = payload
        return messages

    def republish(self) -> list[tuple[str, dict]]:
        """What a restarted broker sends: the same states with new seq numbers."""
        return self._keep([(t, {**p, "seq": next(self.seq)}) for t, p in self.retained.items()])

    def catalog(self) -> tuple[str, dict]:
        return "state/catalog", {
            "seq": next(self.seq),
            "hall": {
                "id": self.hall,
                "name": {"zh": "市民服务中心综合办事大厅", "en": "Citizen Service Centre"},
                "languages": ["zh", "en"],
                "default_language": "zh",
                "timezone": "Asia/Shanghai",
                "notice": self.notice,
            },
            "departments": self.deps,
            "windows": self.windows,
            "devices": [],
        }

    def opening(self) -> list[tuple[str, dict]]:
        out = [self.catalog()]
        for w in self.windows:
            # A window still serves the ticket it called last, as the broker's retained state says.
            last = next((c for c in self.calls if c["window"] == w["id"]), None)
            current = (
                None
                if last is None
                else {
                    "id": last["ticket_id"],
                    "number": last["number"],
                    "department": last["department"],
                    "status": "called",
                    "priority": "normal",
                    "source": "walk_in",
                    "lang": "zh",
                    "issued_at": last["at"],
                }
            )
            out.append(self.window_state(w, "open", current))
        for d in self.deps:
            out.append(self.queue_state(d["id"], 5))
        out.append(("state/calls", {"seq": next(self.seq), "calls": list(self.calls)}))
        return self._keep(out)

    def window_state(self, w: dict, status: str, current: dict | None) -> tuple[str, dict]:
        return f"state/window/{w['id']}", {
            "seq": next(self.seq),
            "window": w["id"],
            "number": w["number"],
            "flex": False,
            "departments": w["departments"],
            "status": status,
            "staff": {
                "id": f"s{w['number']}",
                "name": {"zh": "欧阳明轩", "en": "Ouyang Mingxuan"},
                "post": "A",
                "department": w["departments"][0],
            },
            "pause_reason": None,
            "current": current,
            "last_finished": None,
            "served_today": 0,
            "since": None,
        }

    def queue_state(self, dep: str, waiting: int) -> tuple[str, dict]:
        return f"state/queue/{dep}", {
            "seq": next(self.seq),
            "department": dep,
            "waiting": waiting,
            "priority_waiting": 0,
            "estimated_wait_s": waiting * 120,
            "last_called": None,
            "open_windows": 3,
            "closed": False,
        }

    def call(self, window_index: int, recall: bool = False) -> list[tuple[str, dict]]:
        """One call (or a recall of the window's last ticket): what the broker publishes."""
        w = self.windows[window_index % len(self.windows)]
        dep = w["departments"][0]
        self.at += timedelta(seconds=9)
        if recall and self.calls and any(c["window"] == w["id"] for c in self.calls):
            last = next(c for c in self.calls if c["window"] == w["id"])
            number, tid = last["number"], last["ticket_id"]
        else:
            self.next_number[dep] = self.next_number[dep] % 999 + 1
            prefix = next(d["prefix"] for d in self.deps if d["id"] == dep)
            number, tid = f"{prefix}{self.next_number[dep]:03d}", f"t{next(self.ticket_ids)}"
            recall = False
        call = {
            "ticket_id": tid,
            "number": number,
            "department": dep,
            "window": w["id"],
            "window_number": w["number"],
            "at": self.at.isoformat().replace("+00:00", "Z"),
            "recall": recall,
            "lang": "zh",
        }
        self.calls = [call, *self.calls][: self.calls_kept]
        current = {
            "id": tid,
            "number": number,
            "department": dep,
            "status": "called",
            "priority": "normal",
            "source": "walk_in",
            "lang": "zh",
            "issued_at": call["at"],
        }
        return self._keep(
            [
                self.window_state(w, "open", current),
                self.queue_state(dep, 3 + self.next_number[dep] % 7),
                ("state/calls", {"seq": next(self.seq), "calls": list(self.calls)}),
            ]
        )

    def day(self, calls: int) -> Iterator[tuple[str, dict]]:
        for i in range(calls):
            yield from self.call(i, recall=(i % 10 == 9))
