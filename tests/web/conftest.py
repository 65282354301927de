"""Fixtures of the web part's tests (the browser is the root conftest's)."""

from __future__ import annotations

import pytest

from hallcall.web.app import WebOptions
from hallcall.web.background import serve_in_background
from hallcall.web.hub import WebHub
from hallcall.web.remote import PhoneBook, RemoteDesk
from hallcall.web.storage.migrate import open_web_db


@pytest.fixture
def remote_web(tmp_path, hall_config, mqtt_settings):
    """The web part with remote tickets (the example hall takes them), on a free port."""
    hub = WebHub(hall_config.hall.id, mqtt_settings, "web")
    engine = open_web_db(f"sqlite:///{tmp_path}/web.db")
    desk = RemoteDesk(hub, PhoneBook(engine), hall_config.remote_tickets, hall_config.hall.timezone)
    running = serve_in_background(hub, WebOptions(remote=desk))
    yield running
    running.stop()
