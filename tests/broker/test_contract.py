"""docs/asyncapi.yaml is the contract: it matches the code, and real payloads match it."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from hallcall.protocol.asyncapi import build_document, render_yaml
from hallcall.protocol.payloads import COMMAND_MODELS
from hallcall.protocol.topics import EVENT_TYPES, Topics

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.yaml"


@pytest.fixture(scope="module")
def doc():
    return yaml.safe_load(DOC_PATH.read_text(encoding="utf-8"))


def test_the_committed_document_is_what_the_code_generates():
    assert DOC_PATH.read_text(encoding="utf-8") == render_yaml(), (
        "docs/asyncapi.yaml is stale: run `hallcall docs asyncapi > docs/asyncapi.yaml`"
    )


def test_every_op_and_event_type_is_documented(doc):
    assert set(doc["channels"]["command"]["messages"]) == set(COMMAND_MODELS)
    assert doc["channels"]["event"]["parameters"]["type"]["enum"] == list(EVENT_TYPES)
    # The ops and events the shared contract names are all there.
    for op in (
        "ticket.issue",
        "appointment.checkin",
        "window.login",
        "call.next",
        "call.recall",
        "ticket.no_show",
        "ticket.transfer",
        "ticket.finish",
        "window.pause",
        "window.resume",
        "rating.submit",
        "window.assign",
    ):
        assert op in COMMAND_MODELS
    for ev in ("ticket.issued", "ticket.called", "rating.requested", "rating.recorded"):
        assert ev in EVENT_TYPES


def address_regex(address: str) -> re.Pattern:
    return re.compile("^" + re.sub(r"\\\{[a-z]+\\\}", "[^/]+", re.escape(address)) + "$")


def channel_of(doc, topic: str) -> str:
    found = [
        cid for cid, ch in doc["channels"].items() if address_regex(ch["address"]).match(topic)
    ]
    assert len(found) == 1, (topic, found)
    return found[0]


def test_every_topic_the_code_builds_is_a_documented_channel(doc):
    t = Topics("campus-hall")
    topics = [
        t.server_status,
        t.device_status("kiosk", "k1"),
        t.command("window", "w01"),
        t.reply("rating", "p1"),
        t.catalog,
        t.window_state("w01"),
        t.queue_state("reg"),
        t.calls,
        t.event("ticket.called"),
    ]
    assert sorted(channel_of(doc, topic) for topic in topics) == sorted(doc["channels"])


def validator(doc, schema_name: str):
    schema = {**doc["components"]["schemas"][schema_name], "components": doc["components"]}
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_payloads_of_a_busy_morning_validate_against_the_document(doc, hall):
    """Run every kind of command; check each reply and publication against its schema."""
    replies = [
        hall.send("kiosk", "kiosk-1", "ticket.issue", department="registrar", matter="transcript"),
        hall.send("kiosk", "kiosk-1", "ticket.issue", department="registrar", priority="priority"),
        hall.send("kiosk", "kiosk-1", "ticket.issue", department="nowhere"),
        hall.send("window", "w01", "window.login", staff="s101", post="A", pin="2468"),
        hall.send("window", "w01", "call.next"),
        hall.send("window", "w01", "call.recall"),
        hall.send("window", "w01", "ticket.transfer", department="finance"),
        hall.send("window", "w01", "call.next"),
        hall.send("window", "w01", "ticket.finish", outcome="done"),
        hall.send("window", "w01", "window.pause", reason="break"),
        hall.send("window", "w01", "window.resume"),
        hall.send("admin", "office", "window.assign", window="w07", departments=["finance"]),
        hall.send("admin", "office", "day.close"),
    ]
    last = hall.last("state/window/w01")["last_finished"]
    replies.append(
        hall.send("rating", "pad-w01", "rating.submit", ticket_id=last["ticket_id"], score=3)
    )
    token = replies[0]["data"]["ticket"]["token"]
    status = hall.send("web", "web", "ticket.status", token=token)
    replies += [status, hall.send("web", "web", "ticket.status", token="x" * 22)]
    reply_schema = validator(doc, "Reply")
    for reply in replies:
        reply_schema.validate(reply)
    validator(doc, "TicketStatusView").validate(status["data"])
    validator(doc, "TicketStatusQuery").validate(
        {"request_id": "1", "op": "ticket.status", "token": token}
    )
    names = {
        "serverStatus": "ServerStatus",
        "catalog": "CatalogView",
        "windowState": "WindowStateView",
        "queueState": "QueueStateView",
        "calls": "CallsStateView",
        "event": "EventView",
    }
    seen = set()
    for pub in hall.publications + hall.service.republish_all():
        cid = channel_of(doc, pub.topic)
        validator(doc, names[cid]).validate(pub.payload)
        seen.add(pub.topic.rsplit("/", 1)[-1] if cid == "event" else cid)
    assert {"catalog", "windowState", "queueState", "calls"} <= seen
    assert {
        "ticket.issued",
        "ticket.called",
        "ticket.recalled",
        "ticket.transferred",
        "ticket.finished",
        "rating.requested",
        "window.changed",
        "day.closed",
    } <= seen
    validator(doc, "ServerStatus").validate(hall.service.server_status("online"))


def test_schemas_reject_what_the_broker_rejects(doc):
    issue = validator(doc, "TicketIssue")
    issue.validate({"request_id": "1", "op": "ticket.issue", "department": "registrar"})
    with pytest.raises(jsonschema.ValidationError):
        issue.validate({"request_id": "1", "op": "ticket.issue", "department": "Bad Id"})
    with pytest.raises(jsonschema.ValidationError):
        issue.validate({"request_id": "x" * 65, "op": "ticket.issue", "department": "registrar"})


def test_document_is_an_asyncapi_3_document(doc):
    assert doc["asyncapi"] == "3.0.0" and doc["info"]["version"] == "1.0.0"
    for op in doc["operations"].values():
        assert op["action"] in ("send", "receive")
        assert op["channel"]["$ref"].removeprefix("#/channels/") in doc["channels"]
    assert build_document()["channels"]["calls"]["address"] == "hallcall/v1/{hall}/state/calls"


def test_the_broker_views_carry_exactly_the_fields_of_the_contract_models(hall):
    """The projections build dicts for speed; they must not drift from the payload models."""
    from hallcall.protocol import payloads as p

    hall.login("w01", "s101")
    hall.issue()
    called = hall.next("w01")
    waiting = hall.issue()
    fields = {
        name: set(model.model_fields)
        for name, model in (
            ("ticket", p.TicketView),
            ("window", p.WindowStateView),
            ("queue", p.QueueStateView),
            ("calls", p.CallsStateView),
            ("call", p.CallView),
            ("staff", p.StaffView),
        )
    }
    # The pickup code only in the finish reply of a time-limited matter done (general windows).
    fields["ticket"] -= {"pickup_code"}
    # The token is only in the reply to the kiosk that took the ticket (issue #14).
    assert set(waiting) == fields["ticket"]
    assert set(called) == fields["ticket"] - {"token"}
    window = hall.last("state/window/w01")
    assert set(window) == fields["window"] and set(window["staff"]) == fields["staff"]
    assert set(window["current"]) == fields["ticket"] - {"token"}
    status = hall.ok("web", "web", "ticket.status", token=waiting["token"])
    assert set(status) == set(p.TicketStatusView.model_fields)
    assert set(status["ticket"]) == fields["ticket"] - {"token"}
    assert set(hall.last("state/queue/registrar")) == fields["queue"]
    calls = hall.last("state/calls")
    assert set(calls) == fields["calls"] and set(calls["calls"][0]) == fields["call"]
    hall.finish("w01")
    assert set(hall.last("state/window/w01")["last_finished"]) == set(p.LastFinished.model_fields)


def test_the_phone_pages_ops_fit_the_document_and_the_models(doc, hall):
    """ticket.remote (both joins), ticket.status of a remote ticket not checked in, and
    ticket.rate (issue #14): replies validate, and carry exactly their models' fields."""
    from hallcall.protocol import payloads as p

    hall.login("w01", "s101")
    booked = hall.send("web", "web", "ticket.remote", department="registrar", lang="en")
    pending = hall.send("web", "web", "ticket.status", token=booked["data"]["token"])
    code = booked["data"]["checkin"]["code"]
    checked_in = hall.send("kiosk", "kiosk-1", "appointment.checkin", code=code)
    hall.next("w01")
    hall.finish("w01")
    rated = hall.send("web", "web", "ticket.rate", token=booked["data"]["token"], score=3)
    again = hall.send("web", "web", "ticket.rate", token=booked["data"]["token"], score=3)
    replies = [booked, pending, checked_in, rated, again]
    for reply in replies:
        validator(doc, "Reply").validate(reply)
    assert all(r["ok"] for r in replies[:4]) and again["error"]["code"] == "conflict"
    validator(doc, "RemoteTicketView").validate(booked["data"])
    validator(doc, "TicketStatusView").validate(pending["data"])
    validator(doc, "TicketRatedView").validate(rated["data"])
    assert set(booked["data"]) == set(p.RemoteTicketView.model_fields)
    assert set(booked["data"]["checkin"]) == set(p.CheckinView.model_fields)
    assert set(pending["data"]) == set(p.TicketStatusView.model_fields)
    assert set(rated["data"]) == set(p.TicketRatedView.model_fields)
    assert set(checked_in["data"]["ticket"]) == set(p.TicketView.model_fields) - {"pickup_code"}
    for op, args in (
        ("ticket.remote", {"department": "registrar", "matter": "transcript", "lang": "zh"}),
        ("ticket.rate", {"token": "t" * 22, "score": 2, "reasons": ["slow"]}),
    ):
        model = p.COMMAND_MODELS[op].__name__
        validator(doc, model).validate({"request_id": "1", "op": op, **args})
    recorded = hall.last("event/rating.recorded")
    validator(doc, "EventView").validate(recorded)
    assert recorded["channel"] == "web"
