"""Clerk PINs (#12 item 6): a log-in needs the clerk's PIN; five wrong ones lock the staff id,
and the lock outlives a restart. Run on SQLite and PostgreSQL."""

from __future__ import annotations

import logging

from sqlalchemy import select

from hallcall.broker.storage.orm import PinFailureRow, StaffSessionRow
from tests.support.hall import DEMO_PIN, Hall, start_service


def login(hall: Hall, pin: str | None, staff: str = "s101", request_id: str | None = None) -> dict:
    args = {"staff": staff, "post": "A"}
    if pin is not None:
        args["pin"] = pin
    return hall.send("window", "w01", "window.login", request_id=request_id, **args)


def test_the_right_pin_logs_in_and_a_wrong_or_missing_one_changes_nothing(hall, engine):
    replies = {}
    for pin, code in ((None, "invalid"), ("9753", "forbidden"), ("12ab", "invalid")):
        reply = replies[pin] = login(hall, pin, request_id=f"bad-{pin}")
        assert not reply["ok"] and reply["error"]["code"] == code, reply
        assert reply["request_id"] == f"bad-{pin}"
        assert hall.service.hall.windows["w01"].staff is None, (
            "a refused log-in leaves the window closed"
        )
    wrong = replies["9753"]["error"]["message"]
    assert "9753" not in wrong and "4 more tries" in wrong, wrong
    assert replies["9753"]["error"]["detail"] == {"reason": "wrong_pin", "tries_left": 4}
    assert login(hall, DEMO_PIN)["ok"]
    with engine.connect() as c:
        assert c.execute(select(PinFailureRow)).all() == [], "a right PIN clears the count"
        assert c.execute(select(StaffSessionRow.staff)).scalars().all() == ["s101"]


def test_five_wrong_pins_lock_the_staff_id_across_a_restart_until_the_lock_ends(
    hall, hall_config, engine, clock, caplog
):
    caplog.set_level(logging.DEBUG)
    for _i in range(4):
        assert login(hall, "0000")["error"]["code"] == "forbidden"
    fifth = login(hall, "0000")
    assert fifth["error"]["code"] == "locked", fifth
    assert "locked until 09:15" in fifth["error"]["message"]
    assert fifth["error"]["detail"] == {"reason": "pin_locked", "until": "09:15"}
    assert login(hall, DEMO_PIN)["error"]["code"] == "locked", (
        "even the right PIN waits for the lock"
    )
    # a repeat of a request id gets its first answer and counts nothing more
    first = login(hall, "0000", staff="s103", request_id="same")
    assert login(hall, "0000", staff="s103", request_id="same") == first
    with engine.connect() as c:
        rows = {r.staff: r.failures for r in c.execute(select(PinFailureRow))}
    assert rows == {"s101": 5, "s103": 1}

    restarted = Hall(start_service(hall_config, engine, clock))
    clock.advance(minutes=10)
    assert login(restarted, DEMO_PIN)["error"]["code"] == "locked", "the lock outlives a restart"
    clock.advance(minutes=6)
    assert login(restarted, DEMO_PIN)["ok"], "after 15 minutes the clerk may try again"
    assert DEMO_PIN not in caplog.text and "0000" not in caplog.text, "PINs are never logged"


def test_a_hall_without_pins_says_so_and_a_clerk_without_a_pin_cannot_log_in(
    hall_config, engine, clock
):
    staff = [
        s.model_copy(update={"pin_hash": None}) if s.id == "s101" else s for s in hall_config.staff
    ]
    config = hall_config.model_copy(update={"staff": staff})
    hall = Hall(start_service(config, engine, clock))
    reply = login(hall, DEMO_PIN)
    assert (
        reply["error"]["code"] == "forbidden"
        and "hallcall admin staff-pin s101" in reply["error"]["message"]
    )
    open_hall = config.model_copy(
        update={"hall": config.hall.model_copy(update={"require_pin": False})}
    )
    assert login(Hall(start_service(open_hall, engine, clock)), None)["ok"], (
        "require_pin = false: staff id only"
    )


def test_the_broker_says_at_start_which_clerks_cannot_log_in_and_when_a_hall_has_no_pins(
    hall_config, engine, clock, caplog
):
    staff = [
        s.model_copy(update={"pin_hash": None}) if s.id == "s302" else s for s in hall_config.staff
    ]
    start_service(hall_config.model_copy(update={"staff": staff}), engine, clock)
    assert "no PIN yet for s302" in caplog.text
    caplog.clear()
    open_hall = hall_config.model_copy(
        update={"hall": hall_config.hall.model_copy(update={"require_pin": False})}
    )
    start_service(open_hall, engine, clock)
    assert "require_pin = false, so anyone may log in as any clerk" in caplog.text


def test_the_hall_manager_lifts_a_lock_and_it_is_audited(hall, engine):
    from hallcall.broker.storage.orm import AuditRow

    for _ in range(5):
        login(hall, "0000")
    assert login(hall, DEMO_PIN)["error"]["code"] == "locked"
    unlocked = hall.send("admin", "office", "staff.unlock", staff="s101", actor="Wang Li")
    assert unlocked["ok"] and unlocked["data"] == {"staff": "s101", "unlocked": True}, unlocked
    with engine.connect() as c:
        assert c.execute(select(PinFailureRow)).all() == [], "the count is gone with the lock"
        audit = c.execute(select(AuditRow.actor, AuditRow.op)).all()
    assert ("Wang Li", "staff.unlock") in [tuple(r) for r in audit]
    assert login(hall, DEMO_PIN)["ok"]
    again = hall.send("admin", "office", "staff.unlock", staff="s101", actor="Wang Li")
    assert again["data"]["unlocked"] is False
    unknown = hall.send("admin", "office", "staff.unlock", staff="s999", actor="Wang Li")
    assert unknown["error"]["code"] == "not_found"
    assert (
        hall.send("window", "w02", "staff.unlock", staff="s101")["error"]["code"] == "forbidden"
    ), "only the admin device may unlock"
