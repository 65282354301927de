"""Builds the AsyncAPI 3.0 document of the contract from the code's topics and payload models.

docs/asyncapi.yaml is this document, committed; a test rebuilds it and fails when the two differ,
so the published contract cannot drift from what the code sends and accepts.
Regenerate with:  hallcall docs asyncapi > docs/asyncapi.yaml
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from hallcall.protocol import payloads as p
from hallcall.protocol.topics import DEVICE_KINDS, EVENT_TYPES, ID_PATTERN, MAX_PAYLOAD_BYTES
from hallcall.version import PROTOCOL_VERSION, __version__

ROOT = "hallcall/v1/{hall}/"
ID_PARAM = {"description": f"An id matching {ID_PATTERN}."}

#: channel id -> (address under the root, description, retained, payload model(s), publisher).
#: What the broker publishes comes from `payloads.VIEW_MODELS`, the table devices validate with.
CHANNELS: dict[str, tuple[str, str, bool, list[type[BaseModel]], str]] = {
    "serverStatus": (
        "server/status",
        'The queue broker\'s availability. Retained; the last will publishes {"state": "offline"}. '
        "`version` is the broker's HallCall version and `protocol` the contract's major version "
        "(1): a device of another protocol major treats the broker as offline and says why.",
        True,
        [p.VIEW_MODELS["server/status"]],
        "broker",
    ),
    "deviceStatus": (
        "device/{kind}/{id}/status",
        'Each device\'s availability and health (e.g. "printer": "paper_out"). Retained; last '
        'will {"state": "lost"}.',
        True,
        [p.DeviceStatus],
        "device",
    ),
    "command": (
        "cmd/{kind}/{id}",
        "Commands from one device. The broker takes the sender from the topic, never the payload. "
        f"At most {MAX_PAYLOAD_BYTES} bytes of UTF-8 JSON. A command repeated with the same "
        "request_id changes nothing more and gets the same reply.",
        False,
        list(p.COMMAND_MODELS.values()),
        "device",
    ),
    "reply": (
        "reply/{kind}/{id}",
        "The answer to each command of that device, with its request_id (null when the payload "
        "was not readable). Error codes: invalid, unknown_op, forbidden, not_found, empty, "
        "conflict, rate_limited, closed, unavailable, locked (a staff id after too many wrong PINs), "
        "unknown_token (ticket.status: no ticket has this token). The data of a good reply is "
        "documented for: "
        + ", ".join(f"{op} ({m.__name__})" for op, m in p.REPLY_DATA_MODELS.items())
        + ".",
        False,
        [p.Reply],
        "broker",
    ),
    "catalog": (
        "state/catalog",
        "Departments, matters with their service guides, windows, languages, rating scale.",
        True,
        [p.VIEW_MODELS["state/catalog"]],
        "broker",
    ),
    "windowState": (
        "state/window/{window}",
        "A window's status, clerk shown to visitors, current ticket and last finished ticket.",
        True,
        [p.VIEW_MODELS["state/window/+"]],
        "broker",
    ),
    "queueState": (
        "state/queue/{department}",
        "A department's waiting count, estimated wait and last called number.",
        True,
        [p.VIEW_MODELS["state/queue/+"]],
        "broker",
    ),
    "calls": (
        "state/calls",
        "The latest calls, newest first (at least 10).",
        True,
        [p.VIEW_MODELS["state/calls"]],
        "broker",
    ),
    "event": (
        "event/{type}",
        "Things that happened. Types: "
        + ", ".join(EVENT_TYPES)
        + ". Readers ignore unknown types.",
        False,
        [p.VIEW_MODELS["event/+"]],
        "broker",
    ),
}


def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    models: list[type[BaseModel]] = []
    for _, _, _, ms, _ in CHANNELS.values():
        models += ms
    models += p.REPLY_DATA_MODELS.values()  # a reply's `data`, named in the reply channel
    for model in models:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in schema.pop("$defs", {}).items():
            schemas[name] = sub
        schemas[model.__name__] = schema
    return dict(sorted(schemas.items()))


def _message_name(model: type[BaseModel]) -> str:
    if "op" in model.model_fields and model is not p.Command:
        return p.op_of(model)
    return model.__name__


def build_document() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for channel_id, (address, description, retained, models, publisher) in CHANNELS.items():
        params: dict[str, dict[str, Any]] = {name: dict(ID_PARAM) for name in _params(address)}
        if "kind" in params:
            params["kind"] = {"enum": list(DEVICE_KINDS), "description": "The device kind."}
        if "type" in params:
            params["type"] = {"enum": list(EVENT_TYPES), "description": "The event type."}
        refs = {}
        for model in models:
            name = _message_name(model)
            messages[name] = {
                "name": name,
                "contentType": "application/json",
                "payload": {"$ref": f"#/components/schemas/{model.__name__}"},
            }
            refs[name] = {"$ref": f"#/components/messages/{name}"}
        channels[channel_id] = {
            "address": ROOT + address,
            "description": description,
            "parameters": {"hall": dict(ID_PARAM), **params},
            "messages": refs,
        }
        # Operations are written from the queue broker's side: it receives what devices publish.
        operations[f"{'send' if publisher == 'broker' else 'receive'}_{channel_id}"] = {
            "action": "send" if publisher == "broker" else "receive",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "bindings": {"mqtt": {"qos": 1, "retain": retained, "bindingVersion": "0.2.0"}},
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "HallCall MQTT contract",
            "version": f"{PROTOCOL_VERSION}.0.0",
            "description": (
                "How every HallCall device talks to the queue broker (docs/protocol.md, "
                f"version {PROTOCOL_VERSION}). Payloads are UTF-8 JSON objects of at most "
                f"{MAX_PAYLOAD_BYTES} bytes; times are ISO 8601 UTC with Z. Every state and event "
                "payload carries `seq`, which only grows across the hall (also across restarts): "
                "ignore a state older than the one you hold. Readers ignore unknown fields. "
                f"Generated from hallcall {__version__}."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "mosquitto": {
                "host": "localhost:1883",
                "protocol": "mqtt",
                "description": "The hall's Mosquitto (the demo starts an embedded one).",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": dict(sorted(messages.items())), "schemas": _schemas()},
    }


def _params(address: str) -> list[str]:
    return [part[1:-1] for part in address.split("/") if part.startswith("{")]


def render_yaml() -> str:
    import yaml

    header = "# Generated by `hallcall docs asyncapi`; do not edit by hand (a test compares it).\n"
    return header + yaml.safe_dump(build_document(), sort_keys=False, allow_unicode=True, width=100)
