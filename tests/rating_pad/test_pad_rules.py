"""What a pad may rate, proven over a real Mosquitto and queue broker with the pad's own identity.

The pad app only ever rates what its window just finished; these tests go further and send
forged `rating.submit` commands on `cmd/rating/pad-w01`: the broker must refuse another window's
ticket, a second rating, an unfinished ticket and an older one, and store nothing for them.
"""

from __future__ import annotations

import pytest

from hallcall.rating_pad.model import Phase
from tests.rating_pad.conftest import Clerk, pump, ratings
from tests.support.mqtt import wait_for

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def submit(pad, ticket_id: str, score: int = 3, **extra) -> dict:
    return pad.request("rating.submit", ticket_id=ticket_id, score=score, **extra)


def code(reply: dict) -> str | None:
    return None if reply["ok"] else reply["error"]["code"]


def test_a_pad_cannot_rate_another_windows_ticket(queue_broker, device, engine, start_pad):
    queue_broker()
    app = start_pad(show_ui=False)  # the pad at w01
    w02 = Clerk(device, window="w02", staff="s102")
    other = w02.serve()
    # The real pad does not even ask: the finish was at another window.
    wait_for(
        lambda: app.client.states.get("state/window/w02", {}).get("last_finished"),
        what="w02 state",
        pump=pump,
    )
    assert app.model.phase is Phase.IDLE
    forged = device("rating", "pad-w01")
    reply = submit(forged, other["id"])
    assert code(reply) == "forbidden" and "w01" in reply["error"]["message"]
    assert ratings(engine) == []
    assert code(submit(device("rating", "pad-w02"), other["id"], 1)) is None  # its own pad may
    [row] = ratings(engine)
    assert (row.ticket_id, row.pad, row.window, row.score) == (other["id"], "pad-w02", "w02", 1)


def test_a_pad_cannot_rate_twice(queue_broker, device, engine, start_pad):
    queue_broker()
    clerk = Clerk(device)
    app = start_pad(show_ui=False)
    ticket = clerk.serve()
    wait_for(lambda: app.model.phase is Phase.ASKING, what="asking", pump=pump)
    app.controller.choose(3)  # the visitor rates on the pad
    wait_for(lambda: app.model.recorded_count == 1, what="recorded", pump=pump)
    assert not app.model.choose(1)  # the pad itself will not take a second score
    forged = device("rating", "pad-w01")
    again = submit(forged, ticket["id"], 1)
    assert code(again) == "conflict" and "already" in again["error"]["message"]
    # A repeated request_id is the same command: same answer, nothing more stored.
    first = submit(forged, ticket["id"], 1, request_id="same-id")
    assert submit(forged, ticket["id"], 1, request_id="same-id") == first
    [row] = ratings(engine)
    assert (row.ticket_id, row.score) == (ticket["id"], 3)


def test_a_pad_cannot_rate_an_unfinished_or_older_ticket(queue_broker, device, engine):
    queue_broker()
    clerk = Clerk(device)
    forged = device("rating", "pad-w01")
    older = clerk.serve()
    newer = clerk.serve()
    called = clerk.call()  # at the counter now, not finished
    waiting = clerk.issue()  # still waiting in the hall
    assert code(submit(forged, called["id"])) == "conflict"
    assert code(submit(forged, waiting["id"])) == "conflict"
    assert code(submit(forged, older["id"])) == "conflict"  # only the last finished one
    assert code(submit(forged, "no-such-ticket")) == "not_found"
    assert code(submit(forged, newer["id"], 4)) == "invalid"  # off the three-level scale
    assert ratings(engine) == []
    assert code(submit(forged, newer["id"], 2, reasons=["waited_long"])) is None
    assert [(r.ticket_id, r.reasons) for r in ratings(engine)] == [(newer["id"], ["waited_long"])]


def test_the_example_device_file_runs_a_pad_on_the_example_hall(
    queue_broker, device, engine, qapp, mqtt_settings, clock
):
    """`hallcall rating-pad --device rating_pad/examples/rating-pad.toml`, minus the event loop."""
    from pathlib import Path

    from hallcall.rating_pad.app import build
    from hallcall.rating_pad.settings import load_pad_settings

    settings = load_pad_settings(
        Path(__file__).resolve().parents[2] / "rating_pad" / "examples" / "rating-pad.toml"
    )
    queue_broker()
    app = build(settings, mqtt=mqtt_settings, now=clock.now, show_ui=False)
    try:
        wait_for(
            lambda: app.model.phase is Phase.IDLE and app.model.window == "w01",
            what="catalog",
            pump=pump,
        )
        clerk = Clerk(device)
        ticket = clerk.serve()
        wait_for(lambda: app.model.phase is Phase.ASKING, what="asking", pump=pump)
        app.controller.choose(2)
        wait_for(lambda: len(ratings(engine)) == 1, what="recorded", pump=pump)
        assert ratings(engine)[0].ticket_id == ticket["id"]
    finally:
        app.close()
        app.client.stop()
