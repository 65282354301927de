"""The web part's pages: `/t/{token}` (a visitor's ticket, live) and `/lobby` (the lobby screen).

A Starlette application over one `WebHub`. Pages are rendered on the server (they work without
script); a small script then follows a server-sent event stream and falls back to polling the
same JSON when a browser or a proxy cannot keep a stream open. Every error is a page in both
languages, never a stack trace.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import TypeAdapter, ValidationError
from sse_starlette.sse import EventSourceResponse
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hallcall.device_kit.i18n import localized
from hallcall.protocol.payloads import Token
from hallcall.web.dashboard.ratelimit import network_of
from hallcall.web.hub import EVERYTHING, WebHub
from hallcall.web.lobby_page import lobby_page
from hallcall.web.notify.service import Notifier
from hallcall.web.remote import REMOTE_ANSWERS, REMOTE_TEXTS, RemoteDesk
from hallcall.web.streams import StreamLimits
from hallcall.web.ticket_page import CONTACT_KEYS, CONTACT_TEXTS, TEXTS, choose_lang, ticket_page
from hallcall.web.watch import Seen, ask, watch

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
_TOKEN: TypeAdapter[str] = TypeAdapter(Token)  # pyright: ignore[reportArgumentType]
TEMPLATES = Environment(
    loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"])
)
#: Seconds between the fallback polls of a page without a stream.
POLL_S = 10
#: Sent with every page of the web part (the dashboard sets its own, stricter).
SAFETY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "style-src 'self'; script-src 'self'; frame-ancestors 'none'",
}
#: What a rating on the page may answer (`?rated=`).
RATE_ANSWERS = frozenset({"rate_thanks", "rate_already", "rate_refused"})
#: A stream sends a comment this often so proxies and phones keep it open.
KEEPALIVE_S = 15


@dataclass(frozen=True)
class WebOptions:
    #: People ahead at which the visitor's page says "your turn is near" and alerts.
    near_ahead: int = 3
    #: The visitors' notifications (SMS, e-mail, messengers); None: the page offers none.
    notifier: Notifier | None = None
    #: Remote tickets (线上取号, `/remote`) where the hall takes them; None: no such page.
    remote: RemoteDesk | None = None
    #: Open live pages at most, per ticket, per client address and in all.
    streams: StreamLimits = field(default_factory=StreamLimits)


def create_app(hub: WebHub, options: WebOptions | None = None) -> Starlette:
    options = options or WebOptions()
    streams = options.streams

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        hub.start(asyncio.get_running_loop())
        notifier = options.notifier
        if notifier is not None:
            await notifier.start()
        try:
            yield
        finally:
            if notifier is not None:
                await notifier.stop()
            hub.stop()

    def page_of(seen: Seen, lang: str | None) -> tuple[int, dict[str, Any]]:
        """(HTTP status, the page's fields or an error page's) for what was seen."""
        catalog = hub.catalog()
        chosen = choose_lang(lang, catalog)
        if seen.outcome == "ok" and seen.status is not None:
            return 200, ticket_page(seen.status, chosen, catalog, options.near_ahead).as_dict()
        if seen.outcome == "unknown":
            return 404, _error(chosen, "not_found")
        return 503, _error(chosen, "unavailable")

    async def ticket_data(token: str, lang: str | None) -> tuple[int, dict[str, Any]]:
        if not _valid_token(token):
            return page_of(Seen("unknown"), lang)
        return page_of(await ask(hub, token), lang)

    async def ticket(request: Request) -> Response:
        token = request.path_params["token"]
        status, data = await ticket_data(token, request.query_params.get("lang"))
        name = "ticket.html" if status == 200 else "error.html"
        notifier = options.notifier
        lang = data["lang"]
        contact = request.query_params.get("contact")
        rated = request.query_params.get("rated")
        html = TEMPLATES.get_template(name).render(
            page=data,
            token=token,
            data_json=_script_json(data),
            poll_s=POLL_S,
            channels=[
                (key, label.get(lang) or next(iter(label.values()), key))
                for key, label in (notifier.channels if notifier else {}).items()
            ]
            if data.get("state") == "waiting"
            else [],
            contact_texts=CONTACT_TEXTS.by_language.get(lang, {}),
            contact_said=CONTACT_TEXTS(lang, contact) if contact in CONTACT_KEYS else None,
            contact_ok=contact == "contact_saved",
            rate_said=TEXTS(lang, rated) if rated in RATE_ANSWERS else None,
            rate_ok=rated == "rate_thanks",
            qr_svg=_qr_svg(data["number"]) if data.get("state") == "checkin" else None,
        )
        return HTMLResponse(html, status_code=status)

    async def ticket_rate(request: Request) -> Response:
        """The visitor rates the service on the page: the pad's rating, bound by the pad's rule."""
        token = request.path_params["token"]
        form = parse_qs((await request.body()).decode("utf-8", "replace")[:2000])
        lang = choose_lang(next(iter(form.get("lang") or []), None), hub.catalog())
        raw = next(iter(form.get("score") or []), "")
        if not _valid_token(token):
            return JSONResponse(_error(lang, "not_found"), 404)
        if raw not in ("1", "2", "3", "4", "5"):
            return RedirectResponse(f"/t/{token}?lang={lang}&rated=rate_refused", status_code=303)
        reply = await hub.request("ticket.rate", token=token, score=int(raw))
        error = reply.get("error") or {}
        reason = (error.get("detail") or {}).get("reason") if isinstance(error, dict) else None
        said = (
            "rate_thanks"
            if reply.get("ok")
            else "rate_already"
            if reason == "already_rated"
            else "rate_refused"
        )
        return RedirectResponse(f"/t/{token}?lang={lang}&rated={said}", status_code=303)

    async def ticket_contact(request: Request) -> Response:
        """The visitor leaves a number or an address to be told when their turn is near."""
        token = request.path_params["token"]
        form = parse_qs((await request.body()).decode("utf-8", "replace")[:2000])
        lang = choose_lang(next(iter(form.get("lang") or []), None), hub.catalog())
        notifier = options.notifier
        if notifier is None or not _valid_token(token):
            return JSONResponse(_error(lang, "not_found"), 404)
        problem = await notifier.add(
            token,
            (form.get("channel") or [""])[0],
            (form.get("address") or [""])[0],
            lang,
        )
        said = (
            problem
            if problem in CONTACT_KEYS
            else "contact_saved"
            if problem is None
            else ("contact_bad_address")
        )
        return RedirectResponse(f"/t/{token}?lang={lang}&contact={said}", status_code=303)

    async def ticket_json(request: Request) -> Response:
        token = request.path_params["token"]
        status, data = await ticket_data(token, request.query_params.get("lang"))
        return JSONResponse(data, status_code=status)

    async def ticket_events(request: Request) -> Response:
        token = request.path_params["token"]
        lang = request.query_params.get("lang")
        if not _valid_token(token):
            return JSONResponse(_error(choose_lang(lang, hub.catalog()), "not_found"), 404)

        client = network_of(request.client.host if request.client else "?")
        if not streams.open(token, client):
            return JSONResponse({"error": "too many open pages"}, 429)

        async def stream() -> AsyncIterator[dict[str, str]]:
            last = None
            try:
                async for seen in watch(hub, token):
                    status, data = page_of(seen, lang)
                    text = json.dumps({"status": status, **data}, ensure_ascii=False)
                    if text != last:
                        last = text
                        yield {"event": "ticket", "data": text}
                # The ticket ended (or there is none): nothing more will come; the page stops
                # listening instead of polling a finished ticket for ever.
                yield {"event": "end", "data": "{}"}
            finally:
                streams.close(token, client)

        return EventSourceResponse(stream(), ping=KEEPALIVE_S)

    async def remote_form(request: Request) -> Response:
        desk = options.remote
        lang = choose_lang(request.query_params.get("lang"), hub.catalog())
        if desk is None:
            return await not_found(request, Exception())
        said = request.query_params.get("said")
        html = TEMPLATES.get_template("remote.html").render(
            page={"lang": lang, "other_lang": "en" if lang == "zh" else "zh"},
            words=REMOTE_TEXTS.by_language.get(lang, {}),
            departments=[(d["id"], localized(d.get("name"), lang)) for d in desk.departments()],
            said=REMOTE_TEXTS(lang, said) if said in REMOTE_ANSWERS else None,
        )
        return HTMLResponse(html, status_code=200 if said is None else 400)

    async def remote_take(request: Request) -> Response:
        desk = options.remote
        form = parse_qs((await request.body()).decode("utf-8", "replace")[:2000])
        value = lambda key: next(iter(form.get(key) or []), "")  # noqa: E731
        lang = choose_lang(value("lang") or None, hub.catalog())
        if desk is None:
            return await not_found(request, Exception())
        address = request.client.host if request.client else "?"
        taken = await desk.take(
            value("department"), value("matter") or None, value("phone"), lang, address
        )
        if taken.outcome == "ok" and taken.data is not None:
            return RedirectResponse(f"/t/{taken.data['token']}?lang={lang}", status_code=303)
        said = taken.outcome
        if taken.outcome == "refused" and taken.error:
            reason = (taken.error.get("detail") or {}).get("reason")
            said = (
                f"refused_{reason}"
                if f"refused_{reason}" in REMOTE_ANSWERS
                else ("refused_closed" if taken.error.get("code") == "closed" else "refused")
            )
        return RedirectResponse(f"/remote?lang={lang}&said={said}", status_code=303)

    async def lobby(request: Request) -> Response:
        page = lobby_page(hub.lobby_snapshot())
        html = TEMPLATES.get_template("lobby.html").render(
            page=page, data_json=_script_json(page), poll_s=POLL_S
        )
        return HTMLResponse(html)

    async def lobby_json(request: Request) -> Response:
        return JSONResponse(lobby_page(hub.lobby_snapshot()))

    async def lobby_events(request: Request) -> Response:
        sub = hub.subscribe({EVERYTHING})

        async def stream() -> AsyncIterator[dict[str, str]]:
            try:
                while True:
                    page = lobby_page(hub.lobby_snapshot())
                    yield {"event": "lobby", "data": json.dumps(page, ensure_ascii=False)}
                    await sub.queue.get()
                    while not sub.queue.empty():  # a burst of changes is drawn once
                        sub.queue.get_nowait()
            finally:
                hub.unsubscribe(sub)

        return EventSourceResponse(stream(), ping=KEEPALIVE_S)

    async def health(request: Request) -> Response:
        return JSONResponse({"mqtt": hub.client.connected.is_set(), "broker": hub.online})

    async def not_found(request: Request, exc: Exception) -> Response:
        lang = choose_lang(request.query_params.get("lang"), hub.catalog())
        html = TEMPLATES.get_template("error.html").render(page=_error(lang, "not_found"))
        return HTMLResponse(html, status_code=404)

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("page failed: %s", request.url.path, exc_info=exc)
        lang = choose_lang(request.query_params.get("lang"), hub.catalog())
        html = TEMPLATES.get_template("error.html").render(page=_error(lang, "unavailable"))
        return HTMLResponse(html, status_code=500)

    routes = [
        Route("/t/{token}", ticket),
        Route("/t/{token}/status.json", ticket_json),
        Route("/t/{token}/events", ticket_events),
        Route("/t/{token}/contact", ticket_contact, methods=["POST"]),
        Route("/t/{token}/rate", ticket_rate, methods=["POST"]),
        Route("/remote", remote_form),
        Route("/remote", remote_take, methods=["POST"]),
        Route("/lobby", lobby),
        Route("/lobby/state.json", lobby_json),
        Route("/lobby/events", lobby_events),
        Route("/healthz", health),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={404: not_found, 500: server_error},
        middleware=[Middleware(SafetyHeaders)],
    )
    return app


class SafetyHeaders:
    """Adds SAFETY_HEADERS to every response (a plain ASGI middleware: streams pass through).

    The pages may not be framed (clickjacking on /remote), run no outside script, and never
    send the token in their URL to another site as a referrer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SAFETY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)


def _error(lang: str, what: str) -> dict[str, Any]:
    return {
        "lang": lang,
        "other_lang": "en" if lang == "zh" else "zh",
        "state": "error",
        "title": TEXTS(lang, f"{what}_title"),
        "headline": TEXTS(lang, f"{what}_title"),
        "detail": TEXTS(lang, what),
    }


def _qr_svg(text: str) -> str:
    """A QR code of `text` as inline SVG (the check-in code, for a kiosk's scanner)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    return image.to_string(encoding="unicode")


def _script_json(data: dict[str, Any]) -> str:
    """JSON that is safe inside a <script> element: no "</script>" can close it early."""
    return (
        json.dumps(data, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


def _valid_token(token: str) -> bool:
    try:
        _TOKEN.validate_python(token)
    except ValidationError:
        return False
    return True
