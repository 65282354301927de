"""A ticket's status token never leaves the reply to the device that took it (issue #14).

Retained state and events are heard by every device of the hall (and, without authentication,
by anyone on the network), so a token there would let one visitor watch or rate another's
ticket. Here a real queue broker runs on a real Mosquitto while an eavesdropper subscribed to
`#` records every byte published, and then everything retained is read again from scratch.
"""

from __future__ import annotations

import pytest

from tests.support.mqtt import Eavesdropper, wait_for

HALL = "campus-hall"
ROOT = f"hallcall/v1/{HALL}/"


def carrying(messages, token: str) -> list[str]:
    return [topic for topic, raw, _ in messages if token.encode() in raw]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_no_token_is_published_outside_the_taking_devices_reply(queue_broker, device, mosquitto):
    ear = Eavesdropper(mosquitto.port, "1")
    try:
        queue_broker()
        kiosk, kiosk2 = device("kiosk", "kiosk-1"), device("kiosk", "kiosk-2")
        clerk, pad = device("window", "w01"), device("rating", "pad-w01")
        office, web = device("admin", "office"), device("web", "web")
        lobby = device("display", "lobby", ["state/#", "event/#"])
        taken = []  # (ticket, the kiosk's reply topic)
        for n in range(4):
            who = kiosk if n % 2 == 0 else kiosk2
            reply = who.request("ticket.issue", department="registrar", priority="normal")
            assert reply["ok"], reply
            taken.append((reply["data"]["ticket"], f"{ROOT}reply/kiosk/{who.id}"))
        booked = office.request(
            "appointment.book", department="finance", booked_at="2026-11-23T01:10:00Z"
        )
        assert booked["ok"], booked
        checked_in = kiosk.request(
            "appointment.checkin", code=booked["data"]["appointment"]["code"]
        )
        assert checked_in["ok"], checked_in
        taken.append((checked_in["data"]["ticket"], f"{ROOT}reply/kiosk/kiosk-1"))
        # Its life goes on: called, recalled, transferred, called, finished, rated, asked about.
        assert clerk.request("window.login", staff="s101", post="A", pin="2468")["ok"]
        assert clerk.request("call.next")["ok"] and clerk.request("call.recall")["ok"]
        assert clerk.request("ticket.transfer", department="finance")["ok"]
        assert clerk.request("call.next")["ok"]
        finished = clerk.request("ticket.finish", outcome="done")["data"]["ticket"]
        assert pad.request("rating.submit", ticket_id=finished["id"], score=3)["ok"]
        # The next visitor rates on the phone page (ticket.rate): the pad hears it is done.
        called = clerk.request("call.next")["data"]["ticket"]
        phoned = next(t for t, _ in taken if t["id"] == called["id"])
        assert clerk.request("ticket.finish", outcome="done")["ok"]
        rated = web.request("ticket.rate", token=phoned["token"], score=2)
        assert rated["ok"] and rated["data"]["ticket_id"] == phoned["id"], rated
        late = pad.request("rating.submit", ticket_id=phoned["id"], score=3)
        assert late["error"]["detail"] == {"reason": "already_rated"}, late
        wait_for(
            lambda: any(
                t.endswith("event/rating.recorded") and phoned["id"].encode() in raw
                for t, raw, _ in ear.heard()
            ),
            what="the phone's rating heard",
        )
        # A remote ticket (线上取号): the phone's code, checked in at the kiosk.
        booked_remotely = web.request("ticket.remote", department="registrar")
        assert booked_remotely["ok"], booked_remotely
        remote_token = booked_remotely["data"]["token"]
        code = booked_remotely["data"]["checkin"]["code"]
        pending = web.request("ticket.status", token=remote_token)
        assert pending["data"]["ticket"] is None and pending["data"]["checkin"]["code"] == code
        remote_ticket = kiosk.request("appointment.checkin", code=code)["data"]["ticket"]
        assert remote_ticket["token"] == remote_token and remote_ticket["source"] == "remote"
        for ticket, _ in taken:
            answer = web.request("ticket.status", token=ticket["token"])
            assert answer["ok"] and answer["data"]["ticket"]["id"] == ticket["id"], answer
        assert office.request("day.close")["ok"]
        last = taken[-1][0]
        wait_for(
            lambda: any(t.endswith("event/day.closed") for t, _, _ in ear.heard()),
            what="the close of day heard",
        )
        wait_for(lambda: "state/calls" in lobby.states, what="the lobby's state")
        heard = ear.heard()
        topics = {t for t, _, _ in heard}
        # The eavesdropper heard the whole conversation (so hearing no token means something).
        assert {f"{ROOT}event/ticket.issued", f"{ROOT}event/ticket.called"} <= topics
        assert f"{ROOT}state/queue/registrar" in topics and f"{ROOT}reply/web/web" in topics
        for ticket, reply_topic in taken:
            # The kiosk's reply, and the web part's own question (only the queue broker may
            # read commands: test_the_acl_lets_no_device_read_another_s_commands).
            # (ticket.status, and for the one rated on the phone ticket.rate, on cmd/web/web).
            assert set(carrying(heard, ticket["token"])) == {reply_topic, f"{ROOT}cmd/web/web"}, (
                ticket["number"]
            )
        assert last["source"] == "appointment"
        # The remote ticket's token: the web part's reply and questions, and the kiosk's reply
        # to the check-in; its code as well in the kiosk's check-in command.
        assert set(carrying(heard, remote_token)) == {
            f"{ROOT}reply/web/web",
            f"{ROOT}cmd/web/web",
            f"{ROOT}reply/kiosk/kiosk-1",
        }
        assert set(carrying(heard, f'"{code}"')) <= {
            f"{ROOT}reply/web/web",
            f"{ROOT}cmd/kiosk/kiosk-1",
        }
        assert any(remote_ticket["id"].encode() in raw for t, raw, _ in heard if "event/" in t)
    finally:
        ear.stop()
    # What Mosquitto keeps for the next device to connect holds no token either.
    late = Eavesdropper(mosquitto.port, "2")
    try:
        wait_for(lambda: len(late.heard()) > 5, what="retained messages")
        retained = [m for m in late.heard() if m[2]]
        assert any(t.endswith("state/catalog") for t, _, _ in retained)
        for token in [ticket["token"] for ticket, _ in taken] + [remote_token]:
            assert carrying(retained, token) == []
    finally:
        late.stop()


def test_the_acl_lets_no_device_read_another_s_commands(hall_config):
    """With authentication on (hallcall mqtt-setup), only the queue broker reads `cmd/...`:
    the web part's questions, which carry tokens, reach no other device."""
    from hallcall.broker.acl import acl_text

    blocks = [b.strip().splitlines() for b in acl_text(hall_config).split("\nuser ")[1:]]
    rules = {lines[0]: lines[1:] for lines in blocks}
    assert rules["web-web"] == [
        f"topic write {ROOT}cmd/web/web",
        f"topic readwrite {ROOT}device/web/web/status",
        f"topic read {ROOT}reply/web/web",
        f"topic read {ROOT}state/#",
        f"topic read {ROOT}event/#",
        f"topic read {ROOT}server/status",
    ]
    for user, lines in rules.items():
        if not user.startswith("queue-broker"):
            assert not any("cmd" in line and "read" in line for line in lines), user
