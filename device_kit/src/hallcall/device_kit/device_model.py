"""What every device's model hears, the same for every device kind; `DeviceApp` feeds it.

A device kind's model subclasses `DeviceModel` and overrides what it cares about. Each call
comes on the GUI thread (the app's), one at a time, so a model needs no locks. What it hears is
already parsed with the contract's own models (`hallcall.protocol.payloads.VIEW_MODELS`): a
`WindowStateView` for `state/window/w01`, an `EventView` for `event/ticket.called`, a
`ServerStatus` for `server/status`. Qt-free and paho-free, so a model is tested with no I/O.
"""

from __future__ import annotations

from typing import Any

from hallcall.protocol.payloads import Payload


class DeviceModel:
    def heard(self, topic: str, view: Payload) -> None:
        """A newer retained state (`state/...`), the server's status or an event (`event/...`)."""

    def connection_changed(self, connected: bool) -> None:
        """The MQTT connection went up or down (retained states come again after it is back)."""

    def commands_answered(self, answered: bool | None) -> None:
        """The connect probe's verdict (`DeviceClient.commands_answered`): False when the queue
        broker is online but does not answer this device's commands (the Mosquitto ACL)."""

    def late_reply(self, reply: dict[str, Any]) -> None:
        """A reply after its request's deadline, or for no request of this process."""

    def tick(self) -> None:
        """Called a few times a second: countdowns, idle return."""


def as_json(view: Payload) -> dict[str, Any]:
    """The JSON object `view` was parsed from, for a model that reads plain dicts."""
    return view.model_dump(mode="json", exclude_unset=True)
