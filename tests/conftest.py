"""Fixtures shared by every test folder: databases, the queue service, MQTT servers, ptys."""

from __future__ import annotations

import os
import shutil

import pytest

# Every Qt test runs without a screen, in CI and on a developer's machine alike.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from hallcall.broker.server import QueueBrokerServer  # noqa: E402
from hallcall.broker.service.clock import FakeClock  # noqa: E402
from hallcall.config.loader import EXAMPLE_HALL, load_config  # noqa: E402
from hallcall.mqtt.client import DeviceClient  # noqa: E402
from hallcall.mqtt.connection import MqttSettings  # noqa: E402
from tests.support.databases import fresh_database, migrated_engine  # noqa: E402
from tests.support.hall import MORNING, Hall, start_service, unthrottled  # noqa: E402
from tests.support.mosquitto import Mosquitto  # noqa: E402
from tests.support.pty_pair import start_pty_pair  # noqa: E402


@pytest.fixture
def pty_pair(tmp_path):
    """A real socat pseudo-terminal pair: `.device` for the driver, `.peer` for the test."""
    pair = start_pty_pair(tmp_path)
    yield pair
    pair.close()


# ------------------------------------------------------------------ hall, database, service
@pytest.fixture(scope="session")
def hall_config():
    """The example university hall (config/src/hallcall/config/halls/example-university.toml), without rate limits."""
    return unthrottled(load_config(EXAMPLE_HALL))


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    """An empty database, once on SQLite and once on PostgreSQL."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path):
    with fresh_database("sqlite", tmp_path) as url:
        yield url


@pytest.fixture
def engine(db_url):
    engine = migrated_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock():
    """Monday 2026-11-23, 09:00 in the hall; moves only when told to."""
    return FakeClock(MORNING)


@pytest.fixture
def service(hall_config, engine, clock):
    return start_service(hall_config, engine, clock)


@pytest.fixture
def hall(service):
    return Hall(service)


# ------------------------------------------------------------------ MQTT
@pytest.fixture
def mosquitto(tmp_path):
    """A real Mosquitto on a free loopback port."""
    server = Mosquitto(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def mqtt_settings(mosquitto):
    return MqttSettings(port=mosquitto.port)


@pytest.fixture
def queue_broker(hall_config, engine, clock, mqtt_settings):
    """`start()` runs a queue broker on the test's Mosquitto and database; stopped after."""
    servers = []

    def start():
        server = QueueBrokerServer(start_service(hall_config, engine, clock).bus, mqtt_settings)
        server.start()
        assert server.ready.wait(15), "queue broker did not publish its state"
        servers.append(server)
        return server

    yield start
    for s in servers:
        s.stop()


@pytest.fixture
def device(hall_config, mqtt_settings):
    """`device(kind, id, subscriptions)` makes a connected DeviceClient; stopped after."""
    clients = []

    def make(kind, device_id, subscriptions=()):
        client = DeviceClient(
            hall_config.hall.id, kind, device_id, mqtt_settings, list(subscriptions)
        )
        client.start()
        assert client.wait_connected(10)
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.stop()


# ------------------------------------------------------------------ a real browser
#: Debian's Chromium (scripts/setup.sh --test installs it): Playwright drives it, no download.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the tests of a module (Playwright with executable_path)."""
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM):
        pytest.fail("chromium is needed for this test (scripts/setup.sh --test installs it)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


# ------------------------------------------------------------------ Qt
@pytest.fixture(autouse=True)
def _no_leaked_widgets(request):
    """A Qt test must close every top-level window it opened (as napari's tests require)."""
    if "qtbot" not in request.fixturenames:
        yield
        return
    from PySide6.QtWidgets import QApplication

    before = {id(w) for w in QApplication.topLevelWidgets()}
    yield
    QApplication.processEvents()
    leaked = [w for w in QApplication.topLevelWidgets() if id(w) not in before and w.isVisible()]
    for w in leaked:
        w.close()
    assert not leaked, f"test left top-level widgets open: {[type(w).__name__ for w in leaked]}"
