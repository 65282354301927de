"""A restart rebuilds a hall with general windows from the database as it was: its matter
groups' queues (order, people ahead, numbers going on), each queue's last call, and the
pickup codes waiting to be collected; the migration goes down to 0010 and up with them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select, text

from hallcall.broker.storage.migrate import downgrade, upgrade
from hallcall.broker.storage.orm import PickupCodeRow
from hallcall.config.loader import load_config
from tests.support.hall import Hall, start_service, unthrottled

GENERAL = unthrottled(
    load_config(Path("config/src/hallcall/config/halls/example-general-windows.toml"))
)


def test_groups_and_pickup_codes_survive_a_restart(engine, clock):
    hall = Hall(start_service(GENERAL, engine, clock))
    hall.login("w07", "s402")
    first = hall.issue("real-estate", matter="property-transfer")
    clock.advance(minutes=1)
    second = hall.issue("market", matter="business-licence")
    assert hall.next("w07")["id"] == first["id"]
    code = hall.finish("w07")["pickup_code"]
    third = hall.issue("social-security", matter="pension-claim")

    again = Hall(start_service(GENERAL, engine, clock))
    day = again.service.hall
    assert day.queues["integrated"].ids_in_order(clock.now()) == [second["id"], third["id"]]
    assert day.last_called_number("integrated") == "Z001"
    assert day.pickup_codes[code].number == "Z001"
    assert again.issue("market", matter="business-licence")["number"] == "Z004"
    again.login("w08", "s403")
    taken = again.ok("kiosk", "kiosk-1", "ticket.pickup", code=code)["ticket"]
    assert taken["number"] == "Q001"


def test_the_migration_goes_down_and_up_with_pickup_codes_kept_out(engine, clock):
    hall = Hall(start_service(GENERAL, engine, clock))
    hall.login("w07", "s402")
    hall.issue("real-estate", matter="property-transfer")
    hall.next("w07")
    hall.finish("w07")
    with engine.connect() as c:
        assert c.execute(select(func.count()).select_from(PickupCodeRow)).scalar() == 1
    downgrade(engine, "0010")
    with engine.connect() as c:
        assert "pickup_codes" not in engine.dialect.get_table_names(c)
        assert c.execute(text("SELECT number FROM tickets")).scalar() == "Z001"
    upgrade(engine)
    with engine.connect() as c:
        assert c.execute(text("SELECT queue FROM tickets")).scalar() is None  # not kept down
