"""Taking a ticket with a resident ID card: the real kiosk window, the real serial driver on a
real pty pair with the SAM simulator on the other end, a real queue broker on a real Mosquitto.

Everything on MQTT (`#`) and every log record is checked for the card's number, full name and
address. Screens are saved as build/screenshots/kiosk-{zh,en}-{portrait,landscape}-1x-card-*.png.
"""

from __future__ import annotations

import json
import logging

import pytest

from hallcall.hardware.idcard import IdCardConfig, id_check_digit, make_card
from hallcall.hardware.idcard.protocol import READ_BASE
from hallcall.hardware.printer import TicketPrint
from hallcall.kiosk.model import CardState, Screen
from tests.kiosk.test_kiosk_app import (  # noqa: F401  (kiosk is a fixture)
    PORTRAIT,
    Kiosk,
    kiosk,
    pump,
    ready,
    take_walk_in,
)
from tests.support.mqtt import Eavesdropper, wait_for

pytestmark = [pytest.mark.mqtt, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


def number(born: str) -> str:
    body = "110101" + born + "123"
    return body + id_check_digit(body)


#: Made-up people: numbers with valid check digits and nothing more.
OLD = make_card("张三丰", number("19560501"), address="北京市东城区示例路8号")
YOUNG = make_card("李小明", number("19960501"), address="北京市西城区样例街3号")
SECRETS = [OLD.id_number, OLD.name, OLD.address, YOUNG.id_number, YOUNG.name, YOUNG.address]


def settle() -> None:
    """Let the window lay out the page the model just switched to (a card is read off the GUI
    thread, so no tap has pumped the event loop since)."""
    for _ in range(4):
        pump()


class Everything(Eavesdropper):
    """Every message on the MQTT server (`#`), and what in it would give a card away."""

    def __init__(self, port: int):
        super().__init__(port, "idcard-test-all")

    @property
    def payloads(self) -> list[tuple[str, bytes]]:
        return [(topic, raw) for topic, raw, _ in self.heard()]

    def leaks(self) -> list[str]:
        found = []
        for topic, raw in list(self.payloads):
            texts = [raw.decode("utf-8", "replace"), topic]
            try:  # JSON may carry Chinese as \\uXXXX escapes
                texts.append(json.dumps(json.loads(raw), ensure_ascii=False))
            except ValueError:
                pass
            found += [f"{topic}: {s[:4]}…" for s in SECRETS if any(s in t for t in texts)]
        return found


@pytest.fixture
def card_kiosk(kiosk, pty_pair, mosquitto, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    everything = Everything(mosquitto.port)

    def make(tag="zh", card_wait_s=30.0, devfile=None) -> Kiosk:
        cfg = IdCardConfig(
            kind="serial", devfile=devfile or pty_pair.device, timeout=0.3, poll_interval=0.05
        )
        k = kiosk(PORTRAIT, tag, idcard=cfg, card_wait_s=card_wait_s)
        k.tickets: list[TicketPrint] = []  # type: ignore[attr-defined]
        print_ = k.app.printer.print

        def recording(t: TicketPrint):
            k.tickets.append(t)  # type: ignore[attr-defined]
            return print_(t)

        k.app.printer.print = recording  # type: ignore[method-assign]
        ready(k)
        if tag == "en":
            k.tap(k.window.language)
        return k

    yield make
    everything.stop()
    assert everything.payloads, "the listener heard nothing"
    assert everything.leaks() == []
    assert not [s for s in SECRETS if s in caplog.text]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_70_year_old_takes_the_green_channel_with_the_card(card_kiosk, queue_broker, sam, lang):
    queue_broker()
    k = card_kiosk(lang)
    k.shot("1a-card-start")
    k.tap(k.page(Screen.START).card_tile)
    k.wait_screen(Screen.CARD)
    k.shot("1b-card-place")
    sam.place(OLD)
    k.wait_screen(Screen.GREEN)
    k.shot("1c-card-green-channel")
    assert k.model.card_age() == 70 and "张*丰" in k.page(Screen.GREEN).title.text()
    k.tap(k.page(Screen.GREEN).first)  # "use the green channel"
    k.wait_screen(Screen.START)
    assert k.model.priority
    k.shot("1d-card-start-priority")
    take_walk_in(k, "registrar", "status-change", shots=False)
    k.wait_screen(Screen.RESULT)
    k.shot("1e-card-result-priority")
    t = k.model.result.ticket
    assert t["priority"] == "priority"
    printed = k.tickets[-1]  # type: ignore[attr-defined]
    assert printed.mark and "张*丰" in (printed.footer or "")
    assert "张三丰" not in repr(printed)
    k.printed_qr(save_as="card-ticket-priority")
    sent = [args for _, op, args in k.app.sent if op == "ticket.issue"]
    assert sent[-1]["priority"] == "priority"


def test_a_30_year_old_places_the_card_on_the_start_screen_and_gets_a_normal_ticket(
    card_kiosk, queue_broker, sam
):
    queue_broker()
    k = card_kiosk("zh")
    sam.place(YOUNG)  # no tap first: the start screen takes a card directly
    wait_for(lambda: k.model.card is not None, 10, "the card read", pump)
    assert k.screen is Screen.START and not k.model.priority
    assert k.page(Screen.START).banner_text.text() == "已读取身份证：李*明"
    k.shot("1f-card-start-normal")
    take_walk_in(k, "finance", "tuition", shots=False)
    k.wait_screen(Screen.RESULT)
    assert k.model.result.ticket["priority"] == "normal"
    printed = k.tickets[-1]  # type: ignore[attr-defined]
    assert printed.mark is None and "李*明" in (printed.footer or "")
    k.printed_qr(save_as="card-ticket-normal")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_card_taken_off_mid_read_is_told_then_read(card_kiosk, queue_broker, sam, lang):
    queue_broker()
    k = card_kiosk(lang, card_wait_s=2.0)
    k.tap(k.page(Screen.START).card_tile)
    sam.remove_on = READ_BASE  # the visitor lifts the card while it is being read
    sam.place(YOUNG)
    assert sam.wait_for(lambda: sam.count(READ_BASE) >= 1, 5)
    wait_for(lambda: k.model.card_state is CardState.FAILED, 10, "could not read", pump)
    assert k.model.card is None
    k.shot("1g-card-failed")
    sam.remove_on = None
    k.tap(k.page(Screen.CARD).first)  # try again
    sam.place(YOUNG)
    k.wait_screen(Screen.START)
    assert k.model.card is not None
    settle()
    take_walk_in(k, "registrar", "transcript", shots=False)
    k.wait_screen(Screen.RESULT)
    assert k.model.result.ticket["priority"] == "normal"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_unplugged_reader_is_told_and_a_normal_ticket_still_works(
    card_kiosk, queue_broker, tmp_path, lang
):
    queue_broker()
    k = card_kiosk(lang, devfile=str(tmp_path / "no-reader"))
    wait_for(lambda: k.model.card_reader_online is False, 10, "reader offline", pump)
    k.tap(k.page(Screen.START).card_tile)
    k.wait_screen(Screen.CARD)
    k.shot("1h-card-reader-offline")
    assert not k.page(Screen.CARD).first.isVisible()
    k.tap(k.page(Screen.CARD).second)  # "normal ticket"
    k.wait_screen(Screen.START)
    settle()
    take_walk_in(k, "registrar", "transcript", shots=False)
    k.wait_screen(Screen.RESULT)
