"""The web bench's floor: the least a server can do to carry an MQTT message to a browser's
open stream. A bare Starlette app on uvicorn (the web part's own stack) holds `/s/{i}` streams
and one bare paho subscription to `floor/#` on the same Mosquitto; a message on `floor/{i}` is
written at once to stream i as a server-sent event. No model, no query, no JSON parsing.

    python bench/_sse_floor.py MQTT_PORT HTTP_PORT
"""

from __future__ import annotations

import asyncio
import contextlib
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.responses import StreamingResponse
from starlette.routing import Route

from hallcall.mqtt.connection import MqttSettings, make_client, start, stop


def main(mqtt_port: int, http_port: int) -> None:
    streams: dict[str, asyncio.Queue[bytes]] = {}
    loop: asyncio.AbstractEventLoop | None = None

    def on_message(_c, _u, msg) -> None:
        queue = streams.get(msg.topic.rsplit("/", 1)[1])
        if queue is not None and loop is not None:
            loop.call_soon_threadsafe(queue.put_nowait, msg.payload)

    async def stream(request):
        key = request.path_params["i"]
        queue: asyncio.Queue[bytes] = asyncio.Queue()
        streams[key] = queue

        async def body():
            yield b": open\n\n"
            try:
                while True:
                    yield b"event: floor\ndata: " + await queue.get() + b"\n\n"
            finally:
                streams.pop(key, None)

        return StreamingResponse(body(), media_type="text/event-stream")

    @contextlib.asynccontextmanager
    async def lifespan(app):
        nonlocal loop
        loop = asyncio.get_running_loop()
        settings = MqttSettings(port=mqtt_port)
        client = make_client("sse-floor", settings)  # TCP_NODELAY, as every HallCall client
        client.on_message = on_message
        client.on_connect = lambda c, *_: c.subscribe("floor/#", qos=0)
        start(client, settings)
        yield
        stop(client)

    app = Starlette(routes=[Route("/s/{i}", stream)], lifespan=lifespan)
    uvicorn.run(app, host="127.0.0.1", port=http_port, log_level="warning")


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
