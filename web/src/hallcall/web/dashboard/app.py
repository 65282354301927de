"""The dashboard's Starlette sub-application and the loop that keeps its picture and alarms.

Every page but the login page needs a session (a cookie naming a row of the web database);
every POST carries the session's CSRF token (the login form a token of its own, double
submitted); log-ins are rate limited per user name and per client address. The live page
follows a server-sent event stream of its rendered rows (polling the same JSON every 10 s
when a stream cannot stay open). Admin actions go to the queue broker over MQTT as the hall
file's `admin` device, with the user's name as the audit table's `actor`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import io
import json
import logging
import secrets
import tempfile
import time
import zipfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine
from sse_starlette.sse import EventSourceResponse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route

from hallcall.config.schema import HallConfig
from hallcall.mqtt.client import DeviceClient
from hallcall.protocol.payloads import QueueStateView, WindowStateView
from hallcall.web.dashboard import hall_db
from hallcall.web.dashboard.alarms import RATING_ALARM_MIN, Alarm, AlarmHook, AlarmWatch, raised
from hallcall.web.dashboard.devices import DeviceBook, WebClient
from hallcall.web.dashboard.ratelimit import LoginLimiter
from hallcall.web.dashboard.texts import t
from hallcall.web.dashboard.view import Inputs, dep_name, live_view, picture
from hallcall.web.hub import WebHub
from hallcall.web.storage.users import Session, User, UserStore

log = logging.getLogger(__name__)

HERE = Path(__file__).parent.parent
TEMPLATES = Environment(
    loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"])
)
SESSION_COOKIE = "hallcall_session"
LOGIN_CSRF_COOKIE = "hallcall_login_csrf"
LANG_COOKIE = "hallcall_lang"
MAX_FORM_BYTES = 64 * 1024
POLL_S = 10
KEEPALIVE_S = 15


@dataclass
class DashboardOptions:
    #: Cookies only over HTTPS. None: when the request came over HTTPS (directly or, through a
    #: trusted reverse proxy, X-Forwarded-Proto https).
    secure_cookies: bool | None = None
    #: Seconds between refreshes while nothing is heard (service timers, waits move on).
    tick_s: float = 1.0
    #: Seconds the day's figures (a report of today) are kept before they are computed again.
    figures_s: float = 10.0
    #: Seconds to wait for the queue broker's answer to an admin action.
    admin_timeout_s: float = 10.0
    limiter: LoginLimiter = field(default_factory=LoginLimiter)
    #: Called with every alarm that goes up (see `Dashboard.on_alarm`).
    on_alarm: list[AlarmHook] = field(default_factory=list)


class Dashboard:
    """The dashboard of one hall: its sub-application (`app`), its alarms (`on_alarm`)."""

    def __init__(
        self,
        config: HallConfig,
        hub: WebHub,
        users: UserStore,
        *,
        broker_db: Engine | None = None,
        admin: DeviceClient | None = None,
        clock: Callable[[], datetime] | None = None,
        options: DashboardOptions | None = None,
    ):
        self.config, self.hub, self.users = config, hub, users
        self.broker_db, self.admin = broker_db, admin
        self.clock = clock or (lambda: datetime.now(UTC))
        self.options = options or DashboardOptions()
        self.zone = ZoneInfo(config.hall.timezone)
        self.limiter = self.options.limiter
        self.watch = AlarmWatch(self.options.on_alarm)
        self.devices = DeviceBook(self.clock)
        if isinstance(hub.client, WebClient):
            hub.client.on_device_status(self.devices.heard)
        else:
            log.warning("the web hub's client hears no device status: give it a WebClient")
        hub.client.on_view(self._heard)
        hub.client.on_connection(lambda up: self._poke())
        self.devices.on_change(self._poke)
        self.inputs = Inputs(config, self.clock())
        self.alarms: list[Alarm] = []
        self.version = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._changed: asyncio.Event | None = None
        self._refreshed: asyncio.Condition | None = None
        self._task: asyncio.Task[None] | None = None
        self._figures: tuple[float, dict[str, Any]] | None = None
        self._events_heard = False
        self.app = self._build_app()

    # ------------------------------------------------------------------ the alarm hook
    def on_alarm(self, hook: AlarmHook) -> None:
        """`hook(alarm)` is called once for each alarm that goes up (again after it cleared),
        on the web part's event loop; it must not block (hand slow work to a thread)."""
        self.watch.on_alarm(hook)

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._changed = asyncio.Event()
        self._refreshed = asyncio.Condition()
        if self.admin is not None:
            self.admin.start()
        await self.refresh()
        self._task = asyncio.create_task(self._keep_fresh(), name="dashboard-refresh")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.admin is not None:
            await asyncio.to_thread(self.admin.stop)

    def _heard(self, topic: str, view: Any) -> None:
        if topic.startswith("event/"):
            self._events_heard = True  # today's figures may have moved
        self._poke()

    def _poke(self) -> None:
        """Something was heard (paho's thread): refresh soon."""
        loop, changed = self._loop, self._changed
        if loop is not None and changed is not None and not loop.is_closed():
            loop.call_soon_threadsafe(changed.set)

    async def _keep_fresh(self) -> None:
        assert self._changed is not None
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), self.options.tick_s)
            self._changed.clear()
            try:
                await self.refresh()
            except Exception:  # a failed read (database away) must not stop the dashboard
                log.exception("dashboard refresh failed")
            await asyncio.sleep(0.05)  # a burst of messages costs one refresh

    async def refresh(self) -> None:
        """Read what was heard and the broker database, raise the alarms, wake the streams."""
        now = self.clock()
        views = dict(self.hub.client.views)
        queues = {v.department: v for v in views.values() if isinstance(v, QueueStateView)}
        windows = {v.window: v for v in views.values() if isinstance(v, WindowStateView)}
        inputs = Inputs(
            self.config,
            now,
            queues,
            windows,
            self.devices.all(),
            online=self.hub.online,
        )
        if self.broker_db is not None:
            inputs.oldest, inputs.ratings, inputs.figures = await asyncio.to_thread(
                self._read_db, now
            )
        alarms = raised(picture(inputs))
        self.watch.update(alarms)
        self.inputs, self.alarms = inputs, alarms
        self.version += 1
        if self._refreshed is not None:
            async with self._refreshed:
                self._refreshed.notify_all()

    def _read_db(self, now: datetime) -> tuple[Any, Any, Any]:
        assert self.broker_db is not None
        today = hall_db.today_of(now, self.config)
        oldest = hall_db.oldest_waiting(self.broker_db, self.config.hall.id, today)
        ratings = hall_db.low_ratings(
            self.broker_db, self.config, now - timedelta(minutes=RATING_ALARM_MIN)
        )
        held = self._figures
        age = time.monotonic() - held[0] if held is not None else 0.0
        if held is None or age > self.options.figures_s or (self._events_heard and age > 2):
            self._events_heard = False
            report = hall_db.build_report(self.config, self.broker_db, today, today, now=now)
            rows = {"": next(iter(report.table("hall").rows), {})}
            rows.update({r["key"]: r for r in report.table("department").rows})
            held = (time.monotonic(), rows)
            self._figures = held
        return oldest, ratings, held[1]

    def figures_changed(self) -> None:
        """Compute today's figures afresh at the next refresh (after an admin action)."""
        self._figures = None
        self._poke()

    # ------------------------------------------------------------------ helpers for pages
    def lang(self, request: Request) -> str:
        asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
        langs = list(self.config.hall.languages)
        return (
            asked
            if asked in ("zh", "en") and asked in langs + ["zh", "en"]
            else (self.config.hall.default_language)
        )

    def session(self, request: Request) -> Session | None:
        return self.users.session(request.cookies.get(SESSION_COOKIE), self.clock())

    def secure(self, request: Request) -> bool:
        if self.options.secure_cookies is not None:
            return self.options.secure_cookies
        return request.url.scheme == "https"

    def live(self, user: User, lang: str) -> dict[str, Any]:
        inputs = self.inputs
        if inputs.figures is not None:
            key = "" if user.is_manager else (user.department or "")
            inputs = Inputs(**{**inputs.__dict__, "figures": inputs.figures.get(key, {})})
        return live_view(inputs, self.alarms, user, lang)

    def render(self, name: str, request: Request, lang: str, **values: Any) -> str:
        path = request.url.path
        query = dict(request.query_params)
        query["lang"] = "en" if lang == "zh" else "zh"
        return TEMPLATES.get_template(f"dashboard/{name}").render(
            lang=lang,
            tt=lambda key, **v: t(lang, key, **v),
            hall_name=self.config.hall.name.get(lang),
            switch_href=f"{path}?{urlencode(query)}",
            root=request.scope.get("root_path", "") or "",
            **values,
        )

    async def wait_refresh(self, version: int, timeout: float) -> None:
        assert self._refreshed is not None
        async with self._refreshed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._refreshed.wait_for(lambda: self.version != version), timeout
                )

    async def admin_command(self, op: str, **args: Any) -> dict[str, Any]:
        """The queue broker's reply to an admin command (a "timeout" reply if none comes)."""
        if self.admin is None:
            return {"ok": False, "error": {"code": "no_admin", "message": ""}}
        loop = asyncio.get_running_loop()
        future: asyncio.Future[dict[str, Any]] = loop.create_future()

        def replied(reply: dict[str, Any]) -> None:
            loop.call_soon_threadsafe(_settle, future, reply)

        self.admin.submit(op, replied, timeout=self.options.admin_timeout_s, **args)
        return await future

    # ------------------------------------------------------------------ the application
    def _build_app(self) -> Starlette:
        from hallcall.web.dashboard import pages

        return Starlette(routes=pages.routes(self))


def with_dashboard(public: Starlette, dashboard: Dashboard) -> Starlette:
    """The web part's application (`create_app`) with the dashboard mounted at `/admin`.

    The public application keeps its own lifespan (the hub starts and stops in it); the
    dashboard starts after it and stops before it.
    """

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with public.router.lifespan_context(public):
            await dashboard.start()
            try:
                yield
            finally:
                await dashboard.stop()

    async def to_admin(request: Request) -> Response:
        return RedirectResponse("/admin/", status_code=307)

    return Starlette(
        routes=[Route("/admin", to_admin), Mount("/admin", app=dashboard.app), Mount("", public)],
        lifespan=lifespan,
    )


# ---------------------------------------------------------------------- forms, CSRF, cookies
async def read_form(request: Request) -> dict[str, list[str]] | None:
    """An application/x-www-form-urlencoded body as {name: [values]}; None if too big."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    form: dict[str, list[str]] = {}
    for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
        form.setdefault(key, []).append(value)
    return form


def first(form: dict[str, list[str]], key: str) -> str:
    values = form.get(key) or [""]
    return values[0].strip()


def same_token(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def new_token() -> str:
    return secrets.token_urlsafe(32)


def json_response(data: Any, status: int = 200) -> Response:
    return JSONResponse(data, status_code=status, headers={"Cache-Control": "no-store"})


def html_response(html: str, status: int = 200) -> Response:
    return HTMLResponse(
        html,
        status_code=status,
        headers={
            "Cache-Control": "no-store",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "same-origin",
            "X-Content-Type-Options": "nosniff",
        },
    )


def sse(stream: AsyncIterator[dict[str, str]]) -> Response:
    return EventSourceResponse(stream, ping=KEEPALIVE_S, headers={"Cache-Control": "no-store"})


def attachment(data: bytes, name: str, media_type: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def xlsx_bytes(report: Any) -> bytes:
    from hallcall.broker.reports.export import write_xlsx

    with tempfile.TemporaryDirectory() as tmp:
        path = write_xlsx(report, Path(tmp) / "report.xlsx")
        return path.read_bytes()


def csv_zip_bytes(report: Any) -> bytes:
    from hallcall.broker.reports.export import write_csv

    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_csv(report, Path(tmp))
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            for p in paths:
                z.write(p, p.name)
    return buffer.getvalue()


def _settle(future: asyncio.Future[dict[str, Any]], reply: dict[str, Any]) -> None:
    if not future.done():
        future.set_result(reply)


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


__all__ = ["Dashboard", "DashboardOptions", "dep_name", "with_dashboard"]
