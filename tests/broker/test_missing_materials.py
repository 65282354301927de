"""需补件 with what is missing (#12 item 7, the one-time notification): the clerk's pick from the
matter's guide is kept on the ticket in both languages, told in the reply and the event, and
survives a restart. Run on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from hallcall.broker.storage.orm import TicketEventRow, TicketRow
from tests.support.hall import Hall, start_service


def test_needs_documents_keeps_the_missing_materials_from_the_guide(
    hall, hall_config, engine, clock
):
    hall.issue(matter="status-change")
    hall.login("w01", "s101")
    hall.next("w01")
    reply = hall.window("w01", "ticket.finish", outcome="needs_documents", missing=[2, 0])
    assert reply["ok"], reply
    missing = reply["data"]["ticket"]["missing_materials"]
    assert missing == [
        {"zh": "学籍异动申请表（学院盖章）", "en": "Status change form stamped by your school"},
        {"zh": "医院证明（因病休学时）", "en": "Hospital certificate (for medical leave)"},
    ]
    assert hall.last("event/ticket.finished")["ticket"]["missing_materials"] == missing
    with engine.connect() as c:
        assert c.execute(select(TicketRow.missing_materials)).scalar_one() == missing
        detail = c.execute(
            select(TicketEventRow.detail).where(TicketEventRow.action == "finished")
        ).scalar_one()
        assert detail == {"outcome": "needs_documents", "missing": missing}
    restarted = Hall(start_service(hall_config, engine, clock))
    (ticket,) = restarted.service.hall.tickets.values()
    assert ticket.missing_materials == missing


def test_missing_materials_are_refused_where_they_make_no_sense_and_nothing_changes(hall):
    hall.issue(matter="status-change")
    hall.issue()  # no matter
    hall.login("w01", "s101")
    hall.next("w01")
    for args in (
        {"outcome": "done", "missing": [0]},
        {"outcome": "needs_documents", "missing": [3]},
        {"outcome": "needs_documents", "missing": [1, 1]},
        {"outcome": "needs_documents", "missing": [-1]},
    ):
        reply = hall.window(
            "w01", "ticket.finish", request_id=f"r{len(str(args))}{args['missing']}", **args
        )
        assert not reply["ok"] and reply["error"]["code"] == "invalid", (args, reply)
        assert hall.service.hall.windows["w01"].current_ticket is not None, "still being served"
    hall.finish("w01", outcome="needs_documents")  # an older terminal sends no list: still accepted
