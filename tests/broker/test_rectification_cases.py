"""Rectification cases (差评整改) end to end: a bad rating from a pad over real Mosquitto opens
a case in the rating's transaction; `hallcall case ...` follows it up; a deadline across a 2026
holiday on China's real calendar; an appeal; the hall's default rating after N days.

The rules are tested in tests/domain/test_rectification.py."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from hallcall.broker.reports.rectification import CaseBook
from hallcall.broker.service.clock import FakeClock
from hallcall.broker.storage.orm import CaseRow, RatingRow
from hallcall.cli import main
from tests.support.hall import SHANGHAI, Hall, start_service
from tests.support.mqtt import wait_for

EXAMPLE = "config/src/hallcall/config/halls/example-university.toml"


def served(hall: Hall) -> dict:
    t = hall.issue("registrar")
    if hall.service.hall.windows["w01"].staff is None:
        hall.login("w01", "s101")
    hall.next("w01")
    hall.finish("w01")
    return t


def cases(engine) -> list[CaseRow]:
    from sqlalchemy.orm import Session

    with Session(engine) as s:
        return list(s.scalars(select(CaseRow).order_by(CaseRow.id)))


def test_a_bad_rating_from_a_pad_opens_a_case(queue_broker, device, engine, hall_config):
    queue_broker()
    kiosk = device("kiosk", "kiosk-1")
    ticket = kiosk.request("ticket.issue", department="registrar", matter="transcript")["data"][
        "ticket"
    ]
    clerk = device("window", "w01")
    clerk.request("window.login", staff="s101", post="A", pin="2468")
    clerk.request("call.next")
    clerk.request("ticket.finish", outcome="done")
    pad = device("rating", "pad-w01")
    reply = pad.request("rating.submit", ticket_id=ticket["id"], score=1, reasons=["rude"])
    assert reply["ok"], reply
    wait_for(lambda: len(cases(engine)) == 1, what="the case")
    (c,) = CaseBook(hall_config, engine).list()
    assert (c.ticket_id, c.number, c.department, c.matter, c.window, c.staff) == (
        ticket["id"],
        ticket["number"],
        "registrar",
        "transcript",
        "w01",
        "s101",
    )
    assert (c.score, c.scale) == (1, 3)
    # Monday 23 November + 10 working days (the default).
    assert c.due_on == date(2026, 12, 7) and c.is_open
    # A middle rating of the next ticket opens none.
    ticket2 = kiosk.request("ticket.issue", department="registrar")["data"]["ticket"]
    clerk.request("call.next")
    clerk.request("ticket.finish", outcome="done")
    assert pad.request("rating.submit", ticket_id=ticket2["id"], score=2)["ok"]
    with engine.connect() as conn:
        wait_for(
            lambda: conn.execute(select(func.count()).select_from(RatingRow)).scalar() == 2,
            what="the second rating",
        )
    assert len(cases(engine)) == 1


def test_the_case_commands(hall, engine, db_url, capsys):
    served(hall)
    t = served(hall)
    hall.ok("rating", "pad-w01", "rating.submit", ticket_id=t["id"], score=1, reasons=["rude"])
    (row,) = cases(engine)
    cfg = ["--config", EXAMPLE, "--db", db_url]
    case_id = str(row.id)

    assert main(["case", "list", *cfg]) == 0
    out = capsys.readouterr().out
    assert f"#{row.id} [" in out and f"ticket {t['number']}" in out and "clerk s101" in out

    # Bad input is refused and changes nothing.
    assert main(["case", "close", "999", *cfg, "--by", "Wang"]) == 2
    assert "no case #999" in capsys.readouterr().err
    assert main(["case", "close", case_id, *cfg, "--by", "Wang"]) == 2
    assert "needs a callback and a fix" in capsys.readouterr().err
    assert main(["case", "callback", case_id, *cfg, "--by", " ", "--outcome", "x"]) == 2
    assert "who called" in capsys.readouterr().err
    assert main(["case", "decide", case_id, "upheld", *cfg, "--by", "W", "--reason", "r"]) == 2
    assert "no appeal" in capsys.readouterr().err
    (unchanged,) = cases(engine)
    assert unchanged.callback_at is None and unchanged.closed_at is None

    assert (
        main(["case", "callback", case_id, *cfg, "--by", "Li Ming", "--outcome", "等候太久"]) == 0
    )
    assert main(["case", "fix", case_id, *cfg, "--text", "高峰期增开窗口"]) == 0
    assert main(["case", "close", case_id, *cfg, "--by", "Wang"]) == 0
    assert "closing recorded (closed)" in capsys.readouterr().out
    assert main(["case", "show", case_id, *cfg]) == 0
    shown = capsys.readouterr().out
    assert "callback" in shown and "Li Ming: 等候太久" in shown and "高峰期增开窗口" in shown
    assert "closed" in shown and "by Wang" in shown
    assert "the visitor's reasons: rude" in shown
    assert main(["case", "fix", case_id, *cfg, "--text", "again"]) == 2
    assert "is closed" in capsys.readouterr().err
    assert main(["case", "list", *cfg]) == 0
    assert "no open cases" in capsys.readouterr().out


def test_an_appeal_upheld_by_the_manager_closes_the_case(hall, engine, db_url, capsys):
    t = served(hall)
    hall.ok("rating", "pad-w01", "rating.submit", ticket_id=t["id"], score=1)
    (row,) = cases(engine)
    cfg = ["--config", EXAMPLE, "--db", db_url]
    case_id = str(row.id)
    assert main(["case", "appeal", case_id, *cfg, "--reason", "误触：监控显示按错键"]) == 0
    assert main(["case", "appeal", case_id, *cfg, "--reason", "again"]) == 2
    assert "already appealed" in capsys.readouterr().err
    assert main(["case", "list", *cfg]) == 0
    assert f"#{row.id} [appealed]" in capsys.readouterr().out
    assert (
        main(["case", "decide", case_id, "upheld", *cfg, "--by", "Wang", "--reason", "监控属实"])
        == 0
    )
    assert main(["case", "close", case_id, *cfg, "--by", "Wang"]) == 0
    (closed,) = cases(engine)
    assert (closed.appeal_reason, closed.appeal_decision, closed.appeal_decision_reason) == (
        "误触：监控显示按错键",
        "upheld",
        "监控属实",
    )
    assert closed.appeal_decided_by == "Wang" and closed.closed_by == "Wang"
    assert closed.callback_at is None and closed.fixed_at is None


def test_a_case_opened_before_national_day_is_due_after_the_holiday(
    hall_config, engine, db_url, capsys
):
    """China's real 2026 calendar: opened Wednesday 30 September; 1-7 October off, Saturday
    10 October worked; 10 working days run to Tuesday 20 October (Monday to Friday only would
    say Wednesday 14 October)."""
    clock = FakeClock(datetime(2026, 9, 30, 9, 0, tzinfo=SHANGHAI))
    hall = Hall(start_service(hall_config, engine, clock))
    t = served(hall)
    hall.ok("rating", "pad-w01", "rating.submit", ticket_id=t["id"], score=1)
    book = CaseBook(hall_config, engine)
    (c,) = book.list()
    assert c.due_on == date(2026, 10, 20)
    assert book.list(overdue_on=date(2026, 10, 15)) == []
    assert book.list(overdue_on=date(2026, 10, 20)) == []
    assert [o.id for o in book.list(overdue_on=date(2026, 10, 21))] == [c.id]
    assert c.status(date(2026, 10, 21)) == "overdue"
    # The command counts on the real date (after October 2026): the case is overdue.
    assert main(["case", "list", "--config", EXAMPLE, "--db", db_url, "--overdue"]) == 0
    assert f"#{c.id} [OVERDUE] due 2026-10-20" in capsys.readouterr().out


def _with_default(config, after_days=7, level=2):
    rules = config.rectification.model_copy(
        update={"default_rating_after_days": after_days, "default_level": level}
    )
    return config.model_copy(update={"rectification": rules})


def test_an_unrated_ticket_is_recorded_as_the_halls_default_after_its_days(hall_config, engine):
    config = _with_default(hall_config)
    clock = FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI))
    service = start_service(config, engine, clock)
    hall = Hall(service)
    unrated = served(hall)
    rated = served(hall)
    hall.ok("rating", "pad-w01", "rating.submit", ticket_id=rated["id"], score=3)

    def ratings():
        with engine.connect() as c:
            return {
                r.ticket_id: (r.score, r.channel, r.pad)
                for r in c.execute(select(RatingRow.__table__))
            }

    clock.advance(days=6)  # Sunday 29 November: not 7 days yet
    service.bus.tick()
    assert unrated["id"] not in ratings()
    clock.advance(days=1, hours=1)  # Monday 30 November, 10:00: the day's start records it
    service.bus.tick()
    assert ratings() == {
        unrated["id"]: (2, "default", "default"),
        rated["id"]: (3, "pad", "pad-w01"),
    }
    # Once: the next day does not record it again, and a default rating opens no case.
    clock.advance(days=1)
    service.bus.tick()
    assert len(ratings()) == 2 and cases(engine) == []


def test_no_default_rating_unless_the_hall_file_says_so(hall_config, engine):
    clock = FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI))
    service = start_service(hall_config, engine, clock)
    served(Hall(service))
    clock.advance(days=30)
    service.bus.tick()
    with engine.connect() as c:
        assert c.execute(select(func.count()).select_from(RatingRow)).scalar() == 0


def test_a_served_ticket_of_long_ago_is_left_unrated(hall_config, engine):
    config = _with_default(hall_config, after_days=7, level=2)
    clock = FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI))
    service = start_service(config, engine, clock)
    served(Hall(service))
    clock.advance(timedelta(days=7 + 31, hours=1).total_seconds())
    service.bus.tick()
    with engine.connect() as c:
        assert c.execute(select(func.count()).select_from(RatingRow)).scalar() == 0


def test_a_case_running_into_an_unknown_year_is_logged(hall_config, engine, caplog):
    """Opened in late December 2026, 10 working days run into 2027: until chinesecalendar
    knows 2027 the broker says the deadline counts Monday to Friday there."""
    from hallcall.broker.calendars import china

    clock = FakeClock(datetime(2026, 12, 24, 9, 0, tzinfo=SHANGHAI))
    hall = Hall(start_service(hall_config, engine, clock))
    t = served(hall)
    with caplog.at_level("WARNING", logger="hallcall.broker.calendars"):
        hall.ok("rating", "pad-w01", "rating.submit", ticket_id=t["id"], score=1)
    (c,) = cases(engine)
    assert c.due_on.year == 2027
    warned = any("2027" in r.getMessage() for r in caplog.records)
    assert warned == (2027 not in china().known_years)
