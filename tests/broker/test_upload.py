"""The upload of 好差评 records end to end: a real `hallcall broker` process on real Mosquitto,
a pad's ratings and the cases they open, and a local receiver (tests/support/receiver.py) that
answers 503, hangs past the timeout, drops connections, is gone, refuses one record and comes
back, while the broker is killed -9 and started again. Every record arrives exactly once (the
receiver dedupes by Idempotency-Key), in outbox order, none lost.

The records themselves are tested in tests/domain/test_upload_records.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from hallcall.broker.reports.rectification import CaseBook
from hallcall.broker.service.clock import FakeClock
from hallcall.broker.storage.database import create_db_engine
from hallcall.broker.storage.migrate import upgrade
from hallcall.broker.storage.orm import RatingRow, UploadRow
from hallcall.broker.storage.outbox import Outbox, add_records
from hallcall.broker.upload_sender import UploadSender
from hallcall.cli import main
from hallcall.config.loader import load_config
from hallcall.mqtt.client import DeviceClient
from hallcall.mqtt.connection import MqttSettings
from tests.support.hall import SHANGHAI, Hall, start_service, unthrottled_hall_file
from tests.support.mqtt import ask_until_answered, wait_for
from tests.support.receiver import Receiver

TOKEN = "s3cret-upload-token"
CODE = "12510000MB0000000X4000100000000"


def hall_file_with_upload(directory: Path, url: str, **extra: str) -> Path:
    token = directory / "upload.token"
    token.write_text(TOKEN + "\n", encoding="utf-8")
    path = unthrottled_hall_file(directory)
    values = {
        "enabled": "true",
        "url": f'"{url}"',
        "token_file": f'"{token}"',
        "timeout_s": "1",
        "max_backoff_s": "2",
        "default_matter_code": f'"{CODE}"',
        **extra,
    }
    block = "\n[upload]\n" + "".join(f"{k} = {v}\n" for k, v in values.items())
    path.write_text(path.read_text(encoding="utf-8") + block, encoding="utf-8")
    return path


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


def start_broker(db_url: str, port: int, config: Path, log: Path) -> subprocess.Popen:
    out = log.open("a", encoding="utf-8")
    cmd = [sys.executable, "-m", "hallcall.cli", "broker", "--config", str(config)]
    cmd += ["--db", db_url, "--mqtt-port", str(port)]
    return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, text=True)


def outbox_rows(engine) -> list[tuple[int, str, str]]:
    with engine.connect() as c:
        return [
            (r.id, r.record_id, r.status)
            for r in c.execute(
                select(UploadRow.id, UploadRow.record_id, UploadRow.status).order_by(UploadRow.id)
            )
        ]


def test_every_record_arrives_once_in_order_through_failures_and_a_kill(
    mosquitto, db_url, tmp_path, receiver, capsys
):
    config_path = hall_file_with_upload(tmp_path, receiver.url)
    config = load_config(config_path)
    log = tmp_path / "broker.log"
    engine = create_db_engine(db_url)
    upgrade(engine)
    settings = MqttSettings(port=mosquitto.port)
    receiver.mode = "503"
    proc = start_broker(db_url, mosquitto.port, config_path, log)
    devices = {
        kind: DeviceClient("campus-hall", kind, dev, settings)
        for kind, dev in (("kiosk", "kiosk-1"), ("window", "w01"), ("rating", "pad-w01"))
    }
    for d in devices.values():
        d.start()
        assert d.wait_connected(10)
    rated: list[str] = []

    def ask(kind: str, op: str, rid: str, **args) -> dict:
        return ask_until_answered(devices[kind], op, rid, **args)

    def serve(first: int, last: int) -> None:
        ask("window", "window.login", "login", staff="s101", post="A", pin="2468")
        for i in range(first, last):
            ask("kiosk", "ticket.issue", f"t-{i}", department="registrar", matter="transcript")
            ask("window", "call.next", f"c-{i}")
            t = ask("window", "ticket.finish", f"f-{i}", outcome="done")["data"]["ticket"]
            score = i % 3 + 1  # 1 is a bad rating: it opens a case
            if ask("rating", "rating.submit", f"r-{i}", ticket_id=t["id"], score=score)["ok"]:
                rated.append(t["id"])

    worker = threading.Thread(target=serve, args=(6, 12))
    try:
        serve(0, 6)
        # The platform is down (503): nothing is accepted, the ratings were answered anyway.
        assert len(rated) == 6
        wait_for(lambda: receiver.count("503") >= 3, timeout=30, what="503s")
        assert receiver.accepted == []
        receiver.mode = "ok"
        wait_for(lambda: len(receiver.accepted) >= 2, timeout=30, what="accepted records")
        # It hangs past the 1 s timeout with a record it kept: the broker is killed -9 while
        # it waits, then started again; the record comes again with the same key.
        # The pad goes on rating meanwhile: the kill comes in the middle of its work too.
        receiver.mode = "hang"
        worker.start()
        wait_for(lambda: receiver.count("hang") >= 1, timeout=30, what="a hung request")
        wait_for(lambda: len(rated) >= 8, timeout=30, what="more ratings")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        receiver.mode = "drop"
        proc = start_broker(db_url, mosquitto.port, config_path, log)
        wait_for(lambda: receiver.count("drop") >= 2, timeout=60, what="dropped connections")
        # Gone altogether (connection refused), then back on the same port.
        receiver.mode = "ok"
        port = receiver.stop()
        wait_for(lambda: "ConnectError" in log.read_text(encoding="utf-8"), what="refused")
        receiver.start(port)
        worker.join(timeout=120)
        assert not worker.is_alive() and len(rated) == 12
        # The cases' outcomes: one closed, one appeal decided (from the CLI's CaseBook).
        book = CaseBook(config, engine)
        first, second = book.list()[:2]
        now = datetime.now(UTC)
        book.callback(first.id, "李明", "已致歉", now)
        book.fix(first.id, "高峰期增开窗口", now)
        book.close(first.id, "王芳", now)
        book.appeal(second.id, "误触", now)
        book.decide(second.id, "rejected", "王芳", "录像不支持", now)
        wait_for(
            lambda: all(s == "sent" for _, _, s in outbox_rows(engine))
            and len(outbox_rows(engine)) == 12 + 2,
            timeout=60,
            what="every record sent",
        )
        sent = [key for _, key, _ in outbox_rows(engine)]
        assert receiver.accepted == sent, "each record accepted once, in outbox order"
        assert receiver.repeats >= 1, "the record kept while hanging came again and was deduped"

        # A permanent refusal (422): marked failed and logged, the later records go on; then
        # `hallcall upload retry` sends it again and it is accepted.
        refused = f"campus-hall:case:{second.id}:closed"
        receiver.refuse_keys = {refused}
        receiver.mode = "refuse"
        book.callback(second.id, "李明", "已说明", now)
        book.fix(second.id, "复核流程", now)
        book.close(second.id, "王芳", now)  # a rejected appeal: it needs a callback and a fix
        serve(12, 13)
        cfg = ["--config", str(config_path), "--db", db_url]
        wait_for(
            lambda: [s for _, _, s in outbox_rows(engine)][-2:] == ["failed", "sent"],
            timeout=30,
            what="the refusal, and the later record sent",
        )
        assert main(["upload", "status", *cfg]) == 0
        out = capsys.readouterr().out
        assert "pending 0, sent 15, failed 1" in out and "HTTP 422" in out and refused in out
        receiver.mode = "ok"
        assert main(["upload", "retry", *cfg]) == 0
        assert "1 failed record put back in line" in capsys.readouterr().out
        wait_for(
            lambda: all(s == "sent" for _, _, s in outbox_rows(engine)),
            timeout=30,
            what="the retry",
        )
        assert main(["upload", "status", *cfg]) == 0
        assert "pending 0, sent 16, failed 0" in capsys.readouterr().out
    except Exception:
        print(log.read_text(encoding="utf-8")[-4000:])
        raise
    finally:
        for d in devices.values():
            d.stop()
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=20)
    assert "UPLOAD REFUSED" in log.read_text(encoding="utf-8")
    rows = outbox_rows(engine)
    with engine.connect() as c:
        kept = set(c.execute(select(RatingRow.ticket_id)).scalars())
    assert set(rated) == kept, "every rating the pad was told of is kept, no other"
    assert {k for _, k, _ in rows if ":rating:" in k} == {
        f"campus-hall:rating:{t}" for t in kept
    }, "one record per rating, none without its rating"
    # Each record accepted exactly once; the refused one after its retry, the rest in order.
    expected = [k for _, k, _ in rows if k != refused] + [refused]
    assert receiver.accepted == expected
    # No record was tried before every earlier one was accepted or refused.
    first_tries: list[str | None] = []
    for a in receiver.attempts:
        if a.key not in first_tries:
            first_tries.append(a.key)
    assert first_tries == [k for _, k, _ in rows]
    assert {a.authorization for a in receiver.attempts} == {f"Bearer {TOKEN}"}
    assert all(receiver.bodies[k]["record_id"] == k for k in receiver.accepted)
    body = receiver.bodies[expected[0]]
    assert body["matter_code"] == CODE and body["window"] == {"id": "w01", "number": 1}
    assert body["clerk"] == "s101" and body["time"].endswith("+08:00")
    closing = receiver.bodies[refused]
    assert closing["rating_record_id"] == f"campus-hall:rating:{closing['ticket_id']}"
    assert closing["rating_record_id"] in receiver.bodies
    engine.dispose()


def test_records_are_written_with_their_rating_and_only_when_upload_is_on(
    hall_config, engine, tmp_path
):
    """In-process: a pad's rating, a default rating and a case step write their records in
    their own transactions; with `[upload]` off none is written."""
    base = load_config(hall_file_with_upload(tmp_path, "http://127.0.0.1:9/none"))
    rules = base.rectification.model_copy(
        update={"default_rating_after_days": 7, "default_level": 2}
    )
    config = base.model_copy(update={"rectification": rules})
    clock = FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI))
    service = start_service(config, engine, clock)
    hall = Hall(service)
    hall.login("w01", "s101")
    tickets = []
    for _ in range(2):
        tickets.append(hall.issue("registrar"))
        hall.next("w01")
        hall.finish("w01")
    hall.ok("rating", "pad-w01", "rating.submit", ticket_id=tickets[1]["id"], score=1)
    tickets.append(hall.issue("registrar"))
    hall.next("w01")
    hall.finish("w01")
    hall.ok("web", "web", "ticket.rate", token=tickets[2]["token"], score=3)  # the phone page
    clock.advance(timedelta(days=7, hours=1).total_seconds())
    service.bus.tick()  # the next day's start: ticket 0 gets the default rating
    (case,) = CaseBook(config, engine).list()
    CaseBook(config, engine).appeal(case.id, "误触", clock.now())
    CaseBook(config, engine).decide(case.id, "upheld", "王芳", "属实", clock.now())
    keys = [k for _, k, _ in outbox_rows(engine)]
    assert keys == [
        f"campus-hall:rating:{tickets[1]['id']}",
        f"campus-hall:rating:{tickets[2]['id']}",
        f"campus-hall:rating:{tickets[0]['id']}",
        f"campus-hall:case:{case.id}:appeal_upheld",
    ]
    with engine.connect() as c:
        payloads = {
            r.record_id: r.payload
            for r in c.execute(select(UploadRow.record_id, UploadRow.payload))
        }
    assert payloads[keys[2]]["channel"] == "default" and payloads[keys[2]]["level"]["score"] == 2
    assert payloads[keys[1]]["channel"] == "web" and payloads[keys[1]]["level"]["score"] == 3
    assert payloads[keys[0]]["channel"] == "pad" and payloads[keys[0]]["clerk"] == "s101"
    # Off: a rating writes no record.
    off = hall_config.model_copy(update={"hall": hall_config.hall.model_copy(update={"id": "h2"})})
    assert not off.upload.enabled
    other = Hall(start_service(off, engine, clock))
    other.login("w01", "s101")
    t = other.issue("registrar")
    other.next("w01")
    other.finish("w01")
    other.ok("rating", "pad-w01", "rating.submit", ticket_id=t["id"], score=1)
    assert Outbox(engine, "h2").status().pending == 0


def test_the_sender_takes_a_renewed_token_and_waits_without_one(engine, tmp_path, receiver):
    config = load_config(hall_file_with_upload(tmp_path, receiver.url))
    from hallcall.broker.domain.upload import rating_record

    now = datetime.now(UTC)
    with engine.begin() as c:
        add_records(
            c,
            [
                rating_record(
                    config, now, f"t{i}", "A001", "registrar", None, "w01", None, 3, 3, "pad"
                )
                for i in range(2)
            ],
        )
    token = tmp_path / "upload.token"
    token.unlink()
    sender = UploadSender(config, engine, poll_s=0.1)
    assert sender.step() == 1.0 and receiver.attempts == []  # no token: waits, sends nothing
    token.write_text("renewed\n", encoding="utf-8")
    assert sender.step() == 0.0 and sender.step() == 0.0 and sender.step() == 0.1
    assert receiver.accepted == ["campus-hall:rating:t0", "campus-hall:rating:t1"]
    assert {a.authorization for a in receiver.attempts} == {"Bearer renewed"}
    time.sleep(0)  # nothing else pending
    assert Outbox(engine, "campus-hall").status().sent == 2


def test_config_check_says_upload_is_on_and_warns_of_a_missing_token(tmp_path, capsys):
    path = hall_file_with_upload(tmp_path, "https://platform.example/records")
    assert main(["config", "check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "upload: on, to https://platform.example/records" in out and "token" not in out
    (tmp_path / "upload.token").unlink()
    assert main(["config", "check", str(path)]) == 0
    assert "cannot read [upload] token_file" in capsys.readouterr().out


def test_the_sender_keeps_to_one_record_until_it_is_accepted_or_refused(engine, tmp_path):
    """In-process, with httpx's mock transport: a 503 (with Retry-After) and a timeout keep the
    same record, a 422 fails it and moves on, every attempt carries the record's key."""
    import httpx

    from hallcall.broker.domain.upload import rating_record

    path = hall_file_with_upload(tmp_path, "https://platform.example/records")
    config = load_config(path)
    config = config.model_copy(
        update={"upload": config.upload.model_copy(update={"max_backoff_s": 60})}
    )
    now = datetime.now(UTC)
    with engine.begin() as c:
        add_records(
            c,
            [
                rating_record(
                    config, now, f"t{i}", "A001", "registrar", None, "w01", None, 2, 3, "pad"
                )
                for i in range(3)
            ],
        )
    answers = [
        httpx.Response(503, headers={"Retry-After": "30"}),
        httpx.ReadTimeout("slow"),
        httpx.Response(200),
        httpx.Response(422, text="bad matter code"),
        httpx.Response(201),
    ]
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Idempotency-Key"])
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    sender = UploadSender(config, engine, poll_s=5, transport=httpx.MockTransport(handle))
    assert sender.step() == 30  # the platform's Retry-After, longer than the first 1 s
    assert sender.step() == 2  # a timeout: the back-off doubles
    assert [sender.step() for _ in range(3)] == [0, 0, 0]
    assert sender.step() == 5  # nothing pending: poll again later
    assert seen == ["campus-hall:rating:t0"] * 3 + [
        "campus-hall:rating:t1",
        "campus-hall:rating:t2",
    ]
    st = Outbox(engine, "campus-hall").status()
    assert (st.pending, st.sent, st.failed) == (0, 2, 1)
    assert st.failures == [
        (st.failures[0][0], "campus-hall:rating:t1", "HTTP 422: bad matter code")
    ]
    with engine.connect() as c:
        tries = dict(c.execute(select(UploadRow.record_id, UploadRow.attempts)).all())
    assert tries == {
        "campus-hall:rating:t0": 3,
        "campus-hall:rating:t1": 1,
        "campus-hall:rating:t2": 1,
    }
    # `retry` takes only a failed record of this hall.
    cfg = ["--config", str(path), "--db", engine.url.render_as_string(hide_password=False)]
    sent = st.failures[0][0] + 1
    assert main(["upload", "retry", *cfg, "--id", str(sent)]) == 2
    assert Outbox(engine, "campus-hall").status().failed == 1
    assert main(["upload", "retry", *cfg, "--id", str(st.failures[0][0])]) == 0
    assert Outbox(engine, "campus-hall").status().pending == 1
