"""The message bus's wiring on the fake unit of work: nothing is answered before it is saved."""

import json

from hallcall.broker.service.clock import FakeClock
from hallcall.broker.service.messagebus import Inbound, MessageBus
from hallcall.broker.service.unit_of_work import FakeUnitOfWork
from hallcall.protocol.topics import Sender
from tests.support.hall import MORNING

KIOSK = Sender("kiosk", "kiosk-1")


def issue(rid: str) -> Inbound:
    return Inbound(
        "campus-hall",
        KIOSK,
        json.dumps({"request_id": rid, "op": "ticket.issue", "department": "registrar"}).encode(),
    )


def test_a_batch_is_committed_once_then_answered(hall_config):
    uow = FakeUnitOfWork()
    bus = MessageBus([hall_config], uow, FakeClock(MORNING))
    bus.start()
    result = bus.run([issue("r1"), issue("r2"), issue("r1")])
    assert [a.reply["data"]["ticket"]["number"] for a in result.answers] == ["A001", "A002", "A001"]
    batch = uow.committed[-1]
    assert len([e for e in batch.events if type(e).__name__ == "TicketIssued"]) == 2
    assert [r.request_id for r in batch.replies] == ["r1", "r2"], (
        "a repeat inside the batch is not stored twice"
    )
    topics = [p.topic.rsplit("/", 2)[-2:] for p in result.publications]
    assert topics.count(["queue", "registrar"]) == 1, "each changed state once per batch"


def test_a_failed_commit_answers_unavailable_and_leaves_the_hall_as_it_was(hall_config):
    uow = FakeUnitOfWork()
    bus = MessageBus([hall_config], uow, FakeClock(MORNING))
    bus.start()
    assert bus.run([issue("r1")]).answers[0].reply["ok"]
    uow.fail_next = True
    failed = bus.run([issue("r2"), issue("r3")])
    assert not failed.committed and failed.publications == []
    assert [a.reply["error"]["code"] for a in failed.answers] == ["unavailable", "unavailable"]
    assert [a.reply["request_id"] for a in failed.answers] == ["r2", "r3"]
    # The hall was rebuilt from what was saved (the fake saves no tickets), and a retry runs anew.
    retry = bus.run([issue("r2")])
    assert retry.answers[0].reply["ok"]
    assert "r2" not in {r.request_id for b in uow.committed[:-1] for r in b.replies}
