"""Fixtures of the web part's tests (the browser is the root conftest's)."""

from __future__ import annotations

import pytest

from hallcall.mqtt.client import DeviceClient
from hallcall.web.app import WebOptions, create_app
from hallcall.web.background import serve_in_background
from hallcall.web.dashboard import Dashboard, with_dashboard
from hallcall.web.dashboard.devices import DASHBOARD_SUBSCRIPTIONS, WebClient
from hallcall.web.hub import SUBSCRIPTIONS, WebHub
from hallcall.web.remote import PhoneBook, RemoteDesk
from hallcall.web.storage.migrate import open_web_db
from hallcall.web.storage.users import UserStore
from tests.web.browser import PASSWORD


@pytest.fixture
def remote_web(tmp_path, hall_config, mqtt_settings):
    """The web part with remote tickets (the example hall takes them), on a free port."""
    hub = WebHub(hall_config.hall.id, mqtt_settings, "web")
    engine = open_web_db(f"sqlite:///{tmp_path}/web.db")
    desk = RemoteDesk(hub, PhoneBook(engine), hall_config.remote_tickets, hall_config.hall.timezone)
    running = serve_in_background(hub, WebOptions(remote=desk))
    yield running
    running.stop()


class _Dash(str):
    def __new__(cls, url: str, dashboard: Dashboard, hub: WebHub):
        made = super().__new__(cls, url)
        made.dashboard, made.hub = dashboard, hub
        return made


@pytest.fixture
def dash(hall_config, mqtt_settings, engine, clock, tmp_path):
    """The web part with the dashboard at /admin, a manager `wang` and finance's head `li`."""
    hall = hall_config.hall.id
    client = WebClient(hall, "web", "web", mqtt_settings, SUBSCRIPTIONS + DASHBOARD_SUBSCRIPTIONS)
    hub = WebHub(hall, mqtt_settings, "web", client=client)
    users = UserStore(open_web_db(str(tmp_path / "web.db")))
    users.add("wang", PASSWORD, "manager")
    users.add("li", PASSWORD, "department_head", "finance")
    admin = DeviceClient(hall, "admin", "office", mqtt_settings)
    dashboard = Dashboard(hall_config, hub, users, broker_db=engine, admin=admin, clock=clock.now)
    running = serve_in_background(hub, app=with_dashboard(create_app(hub), dashboard))
    yield _Dash(running.url, dashboard, hub)
    running.stop()
