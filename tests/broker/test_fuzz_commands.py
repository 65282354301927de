"""Fuzzing the command schema (issue #11), on both databases, through the real bus and SQL.

Hypothesis sends commands built from the contract's models (right op, wrong-typed or random
arguments, extra fields, bad request ids, payloads over the bounds) and garbage bytes.
Every message must get a reply that encodes as UTF-8 JSON, with its request_id when that was
valid; none may be `unavailable` or echo a wrong argument; and one the parser refuses must
be answered `invalid` (`unknown_op`) and leave the retained state (seq aside) and every table
exactly as they were.
"""

from __future__ import annotations

import itertools
import json
import os
from dataclasses import dataclass
from datetime import UTC

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hallcall.broker.storage.orm import Base
from hallcall.protocol import payloads as p
from hallcall.protocol.topics import Sender
from tests.support.hall import Hall

settings.register_profile(
    "hallcall-fuzz",
    # Bounded for CI (a few seconds a database); HALLCALL_FUZZ_EXAMPLES=5000 for a long local run.
    max_examples=int(os.environ.get("HALLCALL_FUZZ_EXAMPLES", "150")),
    deadline=None,
    database=None,  # nothing written into the repository
    # One hall serves every example; each example compares only its own before and after.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

SENDERS = {
    "kiosk": "kiosk-1",
    "window": "w01",
    "rating": "pad-w01",
    "admin": "office",
    "display": "lobby",
    "sign": "sign-w01",
    "web": "web",
}
CANARY = "CANARY-7f3e"  # planted in wrong-typed arguments: no reply may echo it
_ids = itertools.count()
OPS = sorted(p.COMMAND_MODELS)
LIVE_OPS = [op for op in OPS if op != "day.close"]  # a valid one would close the hall for good

# ------------------------------------------------------------------ strategies
NASTY = st.sampled_from(list("\x00\x1b\x1d\x07\x7f\u202e\u200b\ud800\udfff\n\t\u2028"))
text = st.text(st.one_of(st.characters(), NASTY), max_size=60)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text
    | st.just(CANARY),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)

#: The JSON types each argument accepts ("null" when it may be left out as null).
FIELD_TYPES = {
    "department": {"str"},
    "matter": {"str", "null"},
    "priority": {"str"},
    "lang": {"str", "null"},
    "code": {"str", "null"},
    "staff": {"str"},
    "post": {"str"},
    "outcome": {"str"},
    "reason": {"str"},
    "ticket_id": {"str"},
    "score": {"int"},
    "reasons": {"list"},
    "window": {"str"},
    "departments": {"list"},
    "booked_at": {"str"},
    "phone": {"str", "null"},
    "actor": {"str", "null"},
    "token": {"str"},
}
GOOD = {
    "department": st.sampled_from(
        ["registrar", "registrar", "finance", "international", "nowhere"]
    ),
    "matter": st.sampled_from([None, None, None, "transcript", "tuition", "visa"]),
    "priority": st.sampled_from(["normal", "priority"]),
    "lang": st.sampled_from([None, "zh", "en"]),
    "code": st.from_regex(r"[0-9]{4,8}", fullmatch=True),
    "staff": st.sampled_from(["s101", "s102", "s201", "s999"]),
    "post": st.sampled_from(["A", "B"]),
    "outcome": st.sampled_from(["done", "returned", "needs_documents"]),
    "reason": text,
    "ticket_id": text | st.just("20261123-A001"),
    "score": st.integers(0, 6),
    "reasons": st.lists(text, max_size=9),
    "window": st.sampled_from([f"w0{i}" for i in range(1, 9)]),
    "departments": st.lists(st.sampled_from(["registrar", "finance", "international"]), max_size=3),
    "booked_at": st.datetimes(timezones=st.just(UTC)).map(p.iso) | text,
    "phone": st.from_regex(r"\+?[0-9]{5,12}", fullmatch=True),
    "actor": st.none() | text,
    "token": st.from_regex(r"[A-Za-z0-9_-]{16,64}", fullmatch=True) | text,
}


def json_type(value) -> str:
    if value is None:
        return "null"
    return {bool: "bool", int: "int", float: "float", str: "str", list: "list", dict: "dict"}[
        type(value)
    ]


def valid_request_id(value) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 64 and value.isprintable()


@dataclass
class Case:
    sender: Sender
    raw: bytes
    request_id: str | None  # the id the reply must carry
    code: str | None  # the error code it must get; None when the command may well be valid


def dumps(data) -> bytes:
    return json.dumps(data).encode()  # ensure_ascii: lone surrogates travel as \u escapes


@st.composite
def commands(draw, mode: str) -> Case:
    """A command of one op: "good" arguments from its right sender, "random" ones from anyone, or
    good ones with one "mutate"-d to be surely invalid."""
    op = draw(st.sampled_from(OPS if mode == "mutate" else LIVE_OPS))
    model = p.COMMAND_MODELS[op]
    rid = f"fz-{next(_ids)}"
    data = {"request_id": rid, "op": op}
    fields = [f for f in model.model_fields if f in FIELD_TYPES]
    for name in fields:
        if model.model_fields[name].is_required() or draw(st.booleans()):
            data[name] = draw(GOOD[name] | json_values if mode == "random" else GOOD[name])
    data.update(
        draw(
            st.dictionaries(
                st.text(max_size=10).filter(lambda k: k not in model.model_fields),
                json_values,
                max_size=3,
            )
        )
    )
    kind = draw(st.sampled_from(sorted(p.OP_SENDERS[op] if mode == "good" else SENDERS)))
    sender = Sender(kind, SENDERS[kind])
    if mode != "mutate":
        return Case(sender, dumps(data), rid, None)
    how = draw(
        st.sampled_from(["type", "missing", "request_id", "op", "blank", "deep", "bigint", "nan"])
    )
    if how == "type" and fields:
        name = draw(st.sampled_from(fields))
        data[name] = draw(json_values.filter(lambda v: json_type(v) not in FIELD_TYPES[name]))
    elif how == "missing" and any(model.model_fields[f].is_required() for f in fields):
        del data[draw(st.sampled_from([f for f in fields if model.model_fields[f].is_required()]))]
    elif how == "request_id":
        bad = draw(
            json_values.filter(lambda v: not valid_request_id(v))
            | st.text(NASTY, min_size=1, max_size=3)
            | st.just("x" * 65)
        )
        data["request_id"] = bad
        return Case(sender, dumps(data), None, "invalid")
    elif how == "op":
        data["op"] = draw(
            json_values.filter(lambda v: not (isinstance(v, str) and v in p.COMMAND_MODELS))
        )
        return Case(
            sender, dumps(data), rid, "unknown_op" if isinstance(data["op"], str) else "invalid"
        )
    elif how == "blank" and {"reason", "ticket_id"} & set(fields):
        data[draw(st.sampled_from(sorted({"reason", "ticket_id"} & set(fields))))] = draw(
            st.text(NASTY, max_size=5)
        )
    elif how == "deep":
        levels = draw(st.integers(p.MAX_DEPTH, 200))
        return Case(
            sender,
            dumps(data)[:-1] + b', "deep": ' + b"[" * levels + b"]" * levels + b"}",
            None,
            "invalid",
        )
    elif how == "bigint":
        digits = draw(st.integers(p.MAX_INT_DIGITS + 1, 6000))
        return Case(sender, dumps(data)[:-1] + b', "n": -' + b"7" * digits + b"}", rid, "invalid")
    else:  # "nan", and any mutation the op has no field for
        constant = draw(st.sampled_from([b"NaN", b"Infinity", b"-Infinity", b"1e400"]))
        return Case(sender, dumps(data)[:-1] + b', "x": [' + constant + b"]}", rid, "invalid")
    return Case(sender, dumps(data), rid, "invalid")


garbage = st.builds(
    lambda kind, raw: Case(Sender(kind, SENDERS[kind]), raw, None, "invalid"),
    st.sampled_from(sorted(SENDERS)),
    st.binary(max_size=300)
    | json_values.filter(lambda v: not isinstance(v, dict)).map(dumps)
    | st.dictionaries(st.sampled_from(["op", "x", "request"]), json_values, max_size=3).map(dumps),
)
messages = st.one_of(commands("good"), commands("random"), commands("mutate"), garbage)


# ------------------------------------------------------------------ the test
def retained(service) -> dict:
    return {
        pub.topic: {k: v for k, v in pub.payload.items() if k != "seq"}
        for pub in service.republish_all()
        if pub.retained
    }


def tables(engine) -> dict:
    with engine.connect() as c:
        return {
            t.name: sorted(map(repr, c.execute(select(t)).all()))
            for t in Base.metadata.sorted_tables
        }


@settings(settings.get_profile("hallcall-fuzz"))
@given(case=messages)
def test_every_fuzzed_command_gets_a_reply_and_an_invalid_one_changes_nothing(
    service, engine, case
):
    if not getattr(service, "_fuzz_ready", False):  # once per database: a hall with some life in it
        hall = Hall(service)
        hall.issue()
        hall.issue("finance")
        hall.login("w01", "s101")
        hall.next("w01")
        service._fuzz_ready = True
    state, rows = retained(service), tables(engine)

    try:
        p.parse_command(case.raw)
        refused = False
    except p.BadPayload:
        refused = True
    result = service.handle(case.sender, case.raw)

    reply = result.reply
    event("reply: " + ("ok" if reply.get("ok") else reply.get("error", {}).get("code", "?")))
    assert json.loads(p.encode(reply).decode("utf-8")) == reply, "every reply encodes as UTF-8 JSON"
    assert reply["request_id"] == case.request_id and isinstance(reply["ok"], bool), (case, reply)
    if case.code is not None:
        assert refused and not reply["ok"] and reply["error"]["code"] == case.code, (case, reply)
    if not reply["ok"]:
        error = reply["error"]
        assert error["code"] != "unavailable", (case, reply)
        assert CANARY not in error["message"] and "Traceback" not in error["message"], (case, reply)
    if refused:  # refused before any handler ran: nothing may have changed
        assert result.publications == []
        assert tables(engine) == rows, "an invalid command wrote to the database"
        assert retained(service) == state, "an invalid command changed the retained state"
