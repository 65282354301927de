"""The lobby of a hall with general windows: a matter group's queue and the pickup queue are
rows of their own, with their names and prefixes from the catalog's `queues`; a catalog
without `queues` (an older broker) still shows its departments."""

from __future__ import annotations

from pathlib import Path

from hallcall.broker.service.projections import catalog
from hallcall.config.loader import load_config
from hallcall.display.model import LobbyModel

GENERAL = load_config(Path("config/src/hallcall/config/halls/example-general-windows.toml"))


def queue(seq: int, qid: str, kind: str, waiting: int) -> dict:
    return {
        "seq": seq,
        "department": qid,
        "queue": qid,
        "kind": kind,
        "waiting": waiting,
        "priority_waiting": 0,
        "estimated_wait_s": 600,
        "last_called": None,
        "open_windows": 2,
        "closed": False,
    }


def lobby() -> LobbyModel:
    model = LobbyModel(("zh", "en"))
    model.set_connected(True)
    model.apply("server/status", {"state": "online"})
    return model


def test_group_and_pickup_queues_are_named_rows():
    model = lobby()
    model.apply("state/catalog", catalog(GENERAL, 1))
    model.apply("state/queue/integrated", queue(2, "integrated", "group", 3))
    model.apply("state/queue/pickup", queue(3, "pickup", "pickup", 1))
    model.apply("state/queue/market", queue(4, "market", "department", 0))
    rows = {q.department: q for q in model.snapshot().queues}
    assert rows["integrated"].prefix == "Z" and rows["integrated"].waiting == 3
    assert rows["integrated"].name == ("综合受理", "Integrated service")
    assert (
        rows["pickup"].name == ("综合窗口出件", "Document pickup") and rows["pickup"].prefix == "Q"
    )
    assert rows["market"].prefix == "C"
    order = [q.department for q in model.snapshot().queues]
    assert order[:3] == ["social-security", "real-estate", "market"]  # departments first


def test_a_catalog_without_queues_still_shows_its_departments():
    model = lobby()
    old = catalog(GENERAL, 1)
    del old["queues"], old["pickup"]
    model.apply("state/catalog", old)
    model.apply("state/queue/market", queue(2, "market", "department", 2))
    rows = {q.department: q for q in model.snapshot().queues}
    assert rows["market"].waiting == 2 and rows["market"].name[1].startswith("Market")
