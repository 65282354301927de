"""Repeats, bad input, restarts, concurrency: nothing is lost or duplicated."""

import json
import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from hallcall.broker.storage.migrate import downgrade, upgrade
from hallcall.broker.storage.orm import Base, CommandRow, CounterRow, TicketRow
from hallcall.protocol.topics import Sender
from tests.support.hall import Hall, start_service


def tickets(engine) -> int:
    with engine.connect() as c:
        return c.execute(select(func.count()).select_from(TicketRow)).scalar()


def test_a_repeated_request_changes_nothing_and_gets_the_same_reply(hall, engine):
    first = hall.send("kiosk", "kiosk-1", "ticket.issue", request_id="abc", department="registrar")
    again = hall.send("kiosk", "kiosk-1", "ticket.issue", request_id="abc", department="registrar")
    assert first == again and first["ok"]
    assert tickets(engine) == 1
    # The same request id from another device is another command.
    other = hall.send("kiosk", "kiosk-2", "ticket.issue", request_id="abc", department="registrar")
    assert other["data"]["ticket"]["number"] == "A002"


def test_a_repeated_refused_request_gets_the_same_refusal(hall):
    hall.login("w01", "s101")
    first = hall.send("window", "w01", "call.next", request_id="n1")
    hall.issue()
    again = hall.send("window", "w01", "call.next", request_id="n1")
    assert first == again and first["error"]["code"] == "empty"
    assert hall.send("window", "w01", "call.next", request_id="n2")["ok"]


@pytest.mark.parametrize(
    "raw, code, fragment",
    [
        (b"not json", "invalid", "not JSON"),
        (b"[1, 2]", "invalid", "JSON object"),
        (b'{"op": "ticket.issue", "department": "registrar"}', "invalid", "request_id"),
        (
            json.dumps({"request_id": "x" * 65, "op": "ticket.issue"}).encode(),
            "invalid",
            "request_id",
        ),
        (b'{"request_id": "1", "op": "ticket.print"}', "unknown_op", "ticket.print"),
        (b'{"request_id": "1", "op": "ticket.issue"}', "invalid", "department"),
        (
            b'{"request_id": "1", "op": "ticket.issue", "department": "registrar", "priority": "vip"}',
            "invalid",
            "priority",
        ),
        (b"\xff\xfe", "invalid", "UTF-8"),
        (
            json.dumps(
                {
                    "request_id": "1",
                    "op": "ticket.issue",
                    "department": "registrar",
                    "pad": "x" * 17000,
                }
            ).encode(),
            "invalid",
            "limit",
        ),
    ],
)
def test_malformed_payloads_are_refused_with_a_clear_message_and_change_nothing(
    service, engine, raw, code, fragment
):
    result = service.handle(Sender("kiosk", "kiosk-1"), raw)
    assert result.reply["ok"] is False
    assert result.reply["error"]["code"] == code
    assert fragment in result.reply["error"]["message"]
    assert result.publications == []
    assert tickets(engine) == 0


def test_unknown_devices_and_wrong_kinds_are_forbidden(hall, engine):
    assert hall.error("window", "w99", "window.login", staff="s101", post="A") == "forbidden"
    assert hall.error("kiosk", "kiosk-9", "ticket.issue", department="registrar") == "forbidden"
    assert hall.error("window", "w01", "ticket.issue", department="registrar") == "forbidden"
    assert hall.error("display", "lobby", "call.next") == "forbidden"
    assert tickets(engine) == 0
    with engine.connect() as c:  # unknown senders cannot fill the command log
        assert c.execute(select(func.count()).select_from(CommandRow)).scalar() == 0


def test_seq_only_grows_across_restarts(hall_config, engine, clock):
    hall = Hall(start_service(hall_config, engine, clock))
    hall.issue()
    before = max(p.payload["seq"] for p in hall.publications)
    restarted = start_service(hall_config, engine, clock)
    republished = restarted.republish_all()
    seqs = [p.payload["seq"] for p in republished]
    assert min(seqs) > before and seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


def test_after_a_restart_state_comes_back_from_the_database(hall_config, engine, clock):
    hall = Hall(start_service(hall_config, engine, clock))
    for _ in range(3):
        hall.issue()
    hall.login("w01", "s101")
    called = hall.next("w01")
    restarted = start_service(hall_config, engine, clock)
    pubs = {p.topic.split("/v1/campus-hall/")[1]: p for p in restarted.republish_all()}
    assert set(pubs) >= {
        "state/catalog",
        "state/calls",
        "state/window/w01",
        "state/queue/registrar",
    }
    assert all(p.retained for p in pubs.values())
    assert pubs["state/window/w01"].payload["current"]["number"] == called["number"]
    assert pubs["state/queue/registrar"].payload["waiting"] == 2
    assert pubs["state/calls"].payload["calls"][0]["number"] == called["number"]
    catalog = pubs["state/catalog"].payload
    assert [d["prefix"] for d in catalog["departments"]] == ["A", "B", "C", "D"]
    assert catalog["hall"]["rating_labels"]["en"] == ["Dissatisfied", "Average", "Satisfied"]
    # The numbering goes on where it stopped: no number is issued twice.
    assert Hall(restarted).issue()["number"] == "A004"


def test_after_a_restart_the_last_call_is_the_one_made_last_even_at_the_same_time(
    hall_config, engine, clock
):
    """Calls in one batch (here: a clock that does not move) share a time; the database's order
    of calls decides which number the lobby shows as the department's last call."""
    hall = Hall(start_service(hall_config, engine, clock))
    for _ in range(3):
        hall.issue()
    for window, staff in (("w01", "s101"), ("w02", "s103")):
        hall.login(window, staff)
        called = hall.next(window)
    restarted = start_service(hall_config, engine, clock)
    pubs = {p.topic.split("/v1/campus-hall/")[1]: p for p in restarted.republish_all()}
    assert (
        called["number"] == "A002"
        and pubs["state/queue/registrar"].payload["last_called"] == "A002"
    )


def test_two_halls_share_one_database_and_keep_apart(hall_config, engine, clock):
    first = Hall(start_service(hall_config, engine, clock))
    other = hall_config.model_copy(
        update={"hall": hall_config.hall.model_copy(update={"id": "other-hall"})}
    )
    second = Hall(start_service(other, engine, clock))
    assert [first.issue()["number"] for _ in range(2)] == ["A001", "A002"]
    assert second.issue()["number"] == "A001", "each hall numbers its own tickets"
    assert second.issue()["id"] == "20261123-A002"
    with engine.connect() as c:
        rows = c.execute(
            select(TicketRow.hall_id, func.count())
            .group_by(TicketRow.hall_id)
            .order_by(TicketRow.hall_id)
        ).all()
    assert [tuple(r) for r in rows] == [("campus-hall", 2), ("other-hall", 2)]


def test_two_clerks_pressing_next_at_once_never_get_the_same_ticket(hall_config, engine, clock):
    hall = Hall(start_service(hall_config, engine, clock))
    for _ in range(40):
        hall.issue()
    windows = [("w01", "s101"), ("w02", "s103"), ("w08", "s102")]
    for w, s in windows:
        hall.login(w, s)
    service = hall.service
    called: dict[str, list[str]] = {w: [] for w, _ in windows}
    barrier = threading.Barrier(len(windows))
    errors: list[BaseException] = []

    def clerk(window: str) -> None:
        try:
            barrier.wait()
            n = 0
            while True:
                n += 1
                raw = json.dumps({"request_id": f"{window}-n{n}", "op": "call.next"}).encode()
                reply = service.handle(Sender("window", window), raw).reply
                if not reply["ok"]:
                    assert reply["error"]["code"] == "empty", reply
                    return
                called[window].append(reply["data"]["ticket"]["number"])
                raw = json.dumps(
                    {"request_id": f"{window}-f{n}", "op": "ticket.finish", "outcome": "done"}
                ).encode()
                assert service.handle(Sender("window", window), raw).reply["ok"]
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=clerk, args=(w,)) for w, _ in windows]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    everything = [n for numbers in called.values() for n in numbers]
    assert len(everything) == 40 and len(set(everything)) == 40
    # (SQLite's busy handler is not fair: one clerk may win every race. Only uniqueness counts;
    # the MQTT server runs commands one at a time anyway.)


def test_concurrent_kiosks_never_issue_a_number_twice(hall_config, engine, clock):
    service = start_service(hall_config, engine, clock)
    numbers: list[str] = []
    lock = threading.Lock()

    def kiosk(device: str) -> None:
        for i in range(15):
            raw = json.dumps(
                {"request_id": f"{device}-{i}", "op": "ticket.issue", "department": "registrar"}
            ).encode()
            reply = service.handle(Sender("kiosk", device), raw).reply
            assert reply["ok"], reply
            with lock:
                numbers.append(reply["data"]["ticket"]["number"])

    threads = [threading.Thread(target=kiosk, args=(k,)) for k in ("kiosk-1", "kiosk-2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(numbers) == [f"A{n:03d}" for n in range(1, 31)]


def test_migrations_match_the_models_and_go_down_and_up(engine):
    with engine.connect() as c:
        assert compare_metadata(MigrationContext.configure(c), Base.metadata) == []
    downgrade(engine, "base")
    with engine.connect() as c:
        assert "tickets" not in engine.dialect.get_table_names(c)
    upgrade(engine)
    with engine.connect() as c:
        assert "tickets" in engine.dialect.get_table_names(c)


def test_the_latest_migration_goes_down_with_tickets_and_their_history_kept(hall, engine):
    """A real hall's database has tickets that history rows point at: stepping back one
    revision must not need to drop `tickets` (SQLite refused that, foreign keys on)."""
    from sqlalchemy import text

    ticket = hall.issue()
    downgrade(engine, "-1")  # relative: revision numbers may skip while branches are merged
    with engine.connect() as c:
        assert c.execute(select(func.count()).select_from(TicketRow)).scalar() == 1
    upgrade(engine)
    with engine.connect() as c:
        assert c.execute(text("SELECT number FROM tickets")).scalar() == ticket["number"]


def test_a_dropped_bad_command_is_logged(service, caplog):
    with caplog.at_level("WARNING", logger="hallcall.broker.service.messagebus"):
        service.handle(Sender("kiosk", "kiosk-1"), b"{oops")
    assert any(
        "dropped bad command from kiosk/kiosk-1 in campus-hall" in r.getMessage()
        for r in caplog.records
    )


def test_commands_of_a_window_nobody_is_logged_in_at(hall):
    for op, args in (
        ("window.logout", {}),
        ("window.pause", {"reason": "break"}),
        ("window.resume", {}),
        ("call.recall", {}),
        ("ticket.no_show", {}),
        ("ticket.finish", {"outcome": "done"}),
        ("ticket.transfer", {"department": "finance"}),
    ):
        reply = hall.window("w02", op, **args)
        assert reply["error"]["code"] == "conflict", (op, reply)
        assert "no clerk is logged in" in reply["error"]["message"]


def test_a_batch_the_database_refuses_is_answered_unavailable_and_the_hall_reloaded(
    hall_config, engine, clock
):
    """Another writer behind the broker's back (what two brokers for one hall would do)."""
    hall = Hall(start_service(hall_config, engine, clock))
    hall.issue("finance")
    with engine.begin() as c:  # someone else takes B002 and moves the counter on
        row = (
            c.execute(select(TicketRow.__table__).where(TicketRow.id == "20261123-B001"))
            .mappings()
            .one()
        )
        c.execute(
            TicketRow.__table__.insert().values(
                {**row, "id": "20261123-B002", "number": "B002", "seqno": 2, "token": "other-xyz"}
            )
        )
        c.execute(CounterRow.__table__.update().values(last_number=2, issued=2))
    refused = hall.send(
        "kiosk", "kiosk-1", "ticket.issue", request_id="clash", department="finance"
    )
    assert refused["error"]["code"] == "unavailable" and refused["request_id"] == "clash"
    assert (
        "IntegrityError" not in refused["error"]["message"]
        and "UNIQUE" not in refused["error"]["message"]
    )
    again = hall.send("kiosk", "kiosk-1", "ticket.issue", request_id="clash", department="finance")
    assert again["ok"] and again["data"]["ticket"]["number"] == "B003", (
        "reloaded: the retry runs anew"
    )
    assert tickets(engine) == 3
