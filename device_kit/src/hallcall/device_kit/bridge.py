"""Moves what a DeviceClient hears on paho's thread into Qt's main thread, as signals.

Widgets must only be touched on the GUI thread; Qt queues a signal emitted from another thread
and delivers it in the receiver's thread. Requests run on a worker thread (a request blocks until
its reply) and their replies come back as a signal too, so the UI never freezes.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from hallcall.mqtt.client import DeviceClient, RequestTimeout

ReplyHandler = Callable[[dict[str, Any]], None]


class DeviceBridge(QObject):
    state = Signal(str, dict)  # relative topic, payload (also "server/status")
    event_heard = Signal(str, dict)
    connection = Signal(bool)
    reply_heard = Signal(dict)  # a reply no request() waits for (see DeviceClient.on_reply)
    _reply = Signal(object, dict)  # (handler, reply) delivered on the GUI thread

    def __init__(self, client: DeviceClient, parent: QObject | None = None):
        super().__init__(parent)
        self.client = client
        client.on_state(lambda topic, payload: self.state.emit(topic, payload))
        client.on_event(lambda topic, payload: self.event_heard.emit(topic, payload))
        client.on_connection(lambda up: self.connection.emit(up))
        client.on_reply(lambda payload: self.reply_heard.emit(payload))
        self._reply.connect(lambda handler, reply: handler(reply))

    def request(
        self,
        op: str,
        handler: ReplyHandler,
        timeout: float = 5.0,
        request_id: str | None = None,
        **args: Any,
    ) -> str:
        """Send `op` on a worker thread; `handler(reply)` runs on the GUI thread.

        A timeout is reported as a reply with error code "timeout" (the broker may still answer
        later: that answer arrives as `reply_heard`). Pass the same `request_id` to retry a
        command safely: the broker answers a repeat without doing it twice.
        """
        request_id = request_id or uuid.uuid4().hex

        def work() -> None:
            try:
                reply = self.client.request(op, timeout=timeout, request_id=request_id, **args)
            except RequestTimeout as exc:
                reply = {
                    "request_id": request_id,
                    "ok": False,
                    "error": {"code": "timeout", "message": str(exc)},
                }
            self._reply.emit(handler, reply)

        threading.Thread(target=work, name=f"request-{op}", daemon=True).start()
        return request_id
