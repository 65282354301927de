"""Appointment check-in with a resident ID card, end to end (issue #15): the real `hallcall
broker` process on a real Mosquitto and SQLite, an appointment booked with `hallcall admin book
--id-number` (which hashes it with the hall's key file), the real kiosk window with the real
serial driver on a real pty pair and the SAM simulator on the other end.

Everything on MQTT (`#`), the kiosk's log records, the broker's log output and the database
file are checked for the cards' numbers and names. Screens are saved as
build/screenshots/kiosk-{zh,en}-{portrait,landscape}-9*-card-checkin-*.png.
"""

from __future__ import annotations

import io
import json
import logging
import signal
import time
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from hallcall.cli import main
from hallcall.config.loader import EXAMPLE_HALL
from hallcall.hardware.idcard import IdCardConfig, card_hash, id_check_digit, make_card
from hallcall.hardware.idcard.protocol import FIND_CARD
from hallcall.hardware.idcard.simulator import SamSimulator
from hallcall.kiosk.model import Screen
from tests.broker.test_kill import start_broker
from tests.kiosk.test_kiosk_app import (  # noqa: F401  (kiosk is a fixture)
    PORTRAIT,
    Kiosk,
    kiosk,
    pump,
    ready,
    take_walk_in,
)
from tests.kiosk.test_kiosk_idcard import Everything

pytestmark = [pytest.mark.mqtt]


def number(born: str, serial_no: str) -> str:
    body = "110101" + born + serial_no
    return body + id_check_digit(body)


#: Made-up people: numbers with valid check digits and nothing more.
BOOKED = make_card("赵一凡", number("19580301", "211"), address="北京市东城区示例路9号")
WALK_IN = make_card("钱二妹", number("19900715", "322"), sex="女", address="北京市西城区样例街5号")
ELDER = make_card("孙三爷", number("19500101", "433"), address="北京市朝阳区演示巷1号")
CARDS = (BOOKED, WALK_IN, ELDER)
SECRETS = [s for c in CARDS for s in (c.id_number, c.name, c.address)]
KEY = b"0123456789abcdef0123456789abcdef"


class Leaks(Everything):
    def leaks(self) -> list[str]:  # these cards, not the other test file's
        found = []
        for topic, raw in list(self.payloads):
            texts = [raw.decode("utf-8", "replace"), topic]
            try:
                texts.append(json.dumps(json.loads(raw), ensure_ascii=False))
            except ValueError:
                pass
            # A hash travels only on a sender's own command topic (the kiosk's check-in and
            # ticket, the office's booking); never in a reply, a state or an event.
            hashes = [card_hash(c, KEY) for c in CARDS]
            own = "/cmd/kiosk/" in topic or "/cmd/admin/" in topic
            bad = SECRETS + ([] if own else hashes)
            found += [f"{topic}: {s[:4]}…" for s in bad if any(s in t for t in texts)]
        return found


def take_off(sam: SamSimulator) -> None:
    """The visitor takes the card away, and the reader notices (it polls "find card")."""
    sam.remove()
    polls = sam.count(FIND_CARD)
    assert sam.wait_for(lambda: sam.count(FIND_CARD) >= polls + 2, 5)


@pytest.fixture
def hall_file(tmp_path):
    """The example hall with its ID card key file, and no closing hour (the broker runs on the
    real clock, and the day must still be open whenever the test runs)."""
    key = tmp_path / "idcard.key"
    key.write_bytes(KEY + b"\n")
    key.chmod(0o600)
    text = EXAMPLE_HALL.read_text(encoding="utf-8").replace('close_at = "17:30"', "", 1)
    example_key = '# hash_key_file = "/etc/hallcall/secrets/idcard.key"'
    assert example_key in text
    text = text.replace(example_key, f'hash_key_file = "{key}"', 1)
    path = tmp_path / "hall.toml"
    path.write_text(
        text + "\n[rate_limits]\nkiosk = { burst = 1000, per_minute = 60000 }\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def broker_process(hall_file, mosquitto, tmp_path):
    db = tmp_path / "hall.db"
    proc = start_broker(f"sqlite:///{db}", mosquitto.port, hall_file)
    out: list[str] = []
    yield proc, db, out
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    out.append(proc.communicate(timeout=20)[0])


def book_with_the_card(hall_file, mosquitto, monkeypatch, capsys) -> str:
    """The hall's office books today with the visitor's ID number, typed into the CLI's stdin."""
    now = datetime.now(UTC).isoformat()
    monkeypatch.setattr("sys.stdin", io.StringIO(BOOKED.id_number + "\n"))
    args = ["admin", "book", "--config", str(hall_file), "--mqtt-port", str(mosquitto.port)]
    args += ["--as", "Wang Fang", "--department", "registrar", "--matter", "transcript"]
    args += ["--at", now, "--id-number", "--timeout", "20"]
    for _ in range(50):  # the broker process may still be starting
        code = main(args)
        captured = capsys.readouterr()
        if code == 0:
            assert "or the ID card it was booked with" in captured.out
            return captured.out
        monkeypatch.setattr("sys.stdin", io.StringIO(BOOKED.id_number + "\n"))
        time.sleep(0.2)
    raise AssertionError(f"booking failed: {captured.err}")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_booked_card_checks_in_and_an_unbooked_one_takes_a_walk_in(
    lang,
    kiosk,  # noqa: F811
    broker_process,
    hall_file,
    mosquitto,
    sam,
    pty_pair,
    monkeypatch,
    capsys,
    caplog,
):
    caplog.set_level(logging.DEBUG)
    everything = Leaks(mosquitto.port)
    proc, db, broker_out = broker_process
    book_with_the_card(hall_file, mosquitto, monkeypatch, capsys)
    key_file = hall_file.parent / "idcard.key"
    cfg = IdCardConfig(kind="serial", devfile=pty_pair.device, timeout=0.3, poll_interval=0.05)
    k: Kiosk = kiosk(PORTRAIT, lang, idcard=cfg, idcard_key_file=str(key_file))
    ready(k)
    if lang == "en":
        k.tap(k.window.language)
    k.shot("9a-card-checkin-start")
    assert k.page(Screen.START).card_tile is not None

    # 1. The booked visitor lays the card on the reader: checked in, no keypad, no code.
    sam.place(BOOKED)
    k.wait_screen(Screen.RESULT, 15)
    k.shot("9b-card-checkin-result")
    t = k.model.result.ticket
    assert t["source"] == "appointment" and t["matter"] == "transcript"
    view = k.model.result_view()
    assert "赵*凡" in view.message and view.badge
    sent = [(op, args) for _, op, args in k.app.sent]
    assert sent[-1] == ("appointment.checkin", {"id_hash": card_hash(BOOKED, KEY)})
    take_off(sam)
    k.tap(k.page(Screen.RESULT).done)
    k.wait_screen(Screen.START)
    if lang == "en":  # the next visitor starts in the hall's language
        k.tap(k.window.language)

    # 2. A card with no appointment: told so, then a walk-in ticket that keeps its hash.
    sam.place(WALK_IN)
    k.wait_screen(Screen.NO_APPOINTMENT, 15)
    k.shot("9c-card-checkin-none")
    k.tap(k.page(Screen.NO_APPOINTMENT).first)  # "take a ticket"
    k.wait_screen(Screen.START)
    assert k.page(Screen.START).banner_text.text().endswith("钱*妹")
    for _ in range(4):
        pump()
    take_walk_in(k, "finance", "tuition", shots=False)
    k.wait_screen(Screen.RESULT)
    walk_in = k.model.result.ticket
    assert walk_in["source"] == "walk_in" and walk_in["priority"] == "normal"
    assert sent[-1][0] == "appointment.checkin" and k.app.sent[-1][1] == "ticket.issue"
    assert k.app.sent[-1][2]["id_hash"] == card_hash(WALK_IN, KEY)
    take_off(sam)
    k.tap(k.page(Screen.RESULT).done)
    k.wait_screen(Screen.START)
    if lang == "en":  # the next visitor starts in the hall's language
        k.tap(k.window.language)

    # 3. A 76-year-old without an appointment: no appointment, then the green channel offer.
    sam.place(ELDER)
    k.wait_screen(Screen.NO_APPOINTMENT, 15)
    k.tap(k.page(Screen.NO_APPOINTMENT).first)
    k.wait_screen(Screen.GREEN)
    k.shot("9d-card-checkin-none-green")
    k.tap(k.page(Screen.GREEN).first)
    k.wait_screen(Screen.START)
    assert k.model.priority
    for _ in range(4):
        pump()
    take_walk_in(k, "registrar", "transcript", shots=False)
    k.wait_screen(Screen.RESULT)
    assert k.model.result.ticket["priority"] == "priority"
    k.app.stop()

    # What the hall kept: hashes, never a number.
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.connect() as c:
        appt = c.execute(sa.text("SELECT id_hash, ticket_id FROM appointments")).one()
        tickets = dict(c.execute(sa.text("SELECT id, id_hash FROM tickets")).all())
    engine.dispose()
    assert appt == (card_hash(BOOKED, KEY), t["id"])
    assert tickets[walk_in["id"]] == card_hash(WALK_IN, KEY)
    everything.stop()
    proc.send_signal(signal.SIGTERM)
    broker_out.append(proc.communicate(timeout=20)[0])
    logs = "".join(broker_out)
    assert "hallcall.broker" in logs or "connected" in logs, logs[-2000:]
    raw_db = b"".join(p.read_bytes() for p in db.parent.glob("hall.db*"))
    for secret in SECRETS:
        assert secret not in logs and secret not in caplog.text, secret[:4]
        assert secret.encode("utf-8") not in raw_db and secret.encode("utf-16-le") not in raw_db
    for c in CARDS:
        assert card_hash(c, KEY) not in logs and card_hash(c, KEY) not in caplog.text
    assert everything.payloads and everything.leaks() == []
    kiosk_commands = [raw for topic, raw in everything.payloads if "/cmd/kiosk/" in topic]
    assert any(card_hash(BOOKED, KEY).encode() in raw for raw in kiosk_commands)
