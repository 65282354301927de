"""Moves what a DeviceClient hears on paho's thread into Qt's main thread, as signals.

Widgets must only be touched on the GUI thread; Qt queues a signal emitted from another thread
and delivers it in the receiver's thread. Requests use the client's one request style
(`DeviceClient.submit`: request_id, deadline, automatic retry) and their replies come back
as a signal too, so no thread blocks and the UI never freezes.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from hallcall.mqtt.client import DeviceClient, ReplyHandler


class DeviceBridge(QObject):
    state = Signal(str, dict)  # relative topic, payload (also "server/status")
    event_heard = Signal(str, dict)
    view_heard = Signal(str, object)  # relative topic, its contract model (states and events)
    connection = Signal(bool)
    commands_answered = Signal(object)  # the connect probe's verdict: True, False or None
    reply_heard = Signal(dict)  # a reply after its deadline (see DeviceClient.on_reply)
    _reply = Signal(object, dict)  # (handler, reply) delivered on the GUI thread

    def __init__(self, client: DeviceClient, parent: QObject | None = None):
        super().__init__(parent)
        self.client = client
        client.on_state(lambda topic, payload: self.state.emit(topic, payload))
        client.on_event(lambda topic, payload: self.event_heard.emit(topic, payload))
        client.on_view(lambda topic, view: self.view_heard.emit(topic, view))
        client.on_connection(lambda up: self.connection.emit(up))
        client.on_commands_answered(lambda answered: self.commands_answered.emit(answered))
        client.on_reply(lambda payload: self.reply_heard.emit(payload))
        self._reply.connect(lambda handler, reply: handler(reply))

    def request(
        self,
        op: str,
        handler: ReplyHandler,
        timeout: float | None = 5.0,
        request_id: str | None = None,
        **args: Any,
    ) -> str:
        """Send `op`; `handler(reply)` runs once on the GUI thread.

        A deadline that passes first is a reply with error code "timeout" (`timed_out`); the
        broker's answer may still come later, as `reply_heard`. `timeout=None` waits until
        answered. Pass the same `request_id` to repeat a command safely: the broker answers a
        repeat without doing it twice.
        """
        return self.client.submit(
            op,
            lambda reply: self._reply.emit(handler, reply),
            timeout=timeout,
            request_id=request_id,
            **args,
        )
