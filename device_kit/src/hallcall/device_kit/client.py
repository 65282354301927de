"""The MQTT client of the device a device file describes (Qt-free: headless devices use it too)."""

from __future__ import annotations

from hallcall.device_kit.device_file import DeviceFile
from hallcall.mqtt.client import DeviceClient


def device_client(settings: DeviceFile, kind: str, subscriptions: list[str]) -> DeviceClient:
    """Not started: `start()` it, or hand it to a `DeviceApp`. It probes its commands at every
    connect (`device.ping`), so an ACL that refuses them is logged, not shown as "online"."""
    return DeviceClient(
        settings.hall, kind, settings.device, settings.mqtt.settings(), subscriptions, probe=True
    )
