"""The dashboard's routes (relative to its mount point, `/admin`)."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from hallcall.broker.calendars import calendar_for
from hallcall.broker.reports.complaints import CHANNELS, ComplaintBook, ComplaintError
from hallcall.broker.reports.export import heading, html_cell
from hallcall.broker.reports.rectification import CASE_COUNTS, CaseBook, CaseError
from hallcall.broker.reports.report import parse_period
from hallcall.web.dashboard import cases as case_view
from hallcall.web.dashboard import hall_db
from hallcall.web.dashboard.app import (
    LANG_COOKIE,
    LOGIN_CSRF_COOKIE,
    POLL_S,
    SESSION_COOKIE,
    attachment,
    csv_zip_bytes,
    dumps,
    first,
    html_response,
    json_response,
    new_token,
    read_form,
    same_token,
    sse,
    xlsx_bytes,
)
from hallcall.web.dashboard.texts import t
from hallcall.web.dashboard.view import dep_name
from hallcall.web.storage.users import Session

if TYPE_CHECKING:
    from hallcall.web.dashboard.app import Dashboard

Handler = Callable[[Request, Session, str], Awaitable[Response]]


def routes(d: Dashboard) -> list[Route]:
    def remember_lang(request: Request, response: Response, lang: str) -> Response:
        if request.query_params.get("lang"):
            response.set_cookie(
                LANG_COOKIE,
                lang,
                max_age=365 * 86400,
                path="/",
                samesite="lax",
                secure=d.secure(request),
            )
        return response

    def login_required(
        handler: Handler, post: bool = False
    ) -> Callable[[Request], Awaitable[Response]]:
        async def wrapped(request: Request) -> Response:
            lang = d.lang(request)
            session = d.session(request)
            if session is None:
                if request.method == "GET" and not request.url.path.endswith((".json", "/events")):
                    return RedirectResponse(f"{request.scope.get('root_path', '')}/login", 303)
                return json_response({"error": "login required"}, 401)
            if post:
                form = await read_form(request)
                if form is None:
                    return json_response({"error": "too big"}, 413)
                token = first(form, "csrf") or request.headers.get("x-csrf-token", "")
                if not same_token(token, session.csrf):
                    return html_response(
                        d.render(
                            "message.html",
                            request,
                            lang,
                            user=session.user,
                            csrf=session.csrf,
                            title=t(lang, "csrf"),
                            active="",
                        ),
                        403,
                    )
                request.state.form = form
            response = await handler(request, session, lang)
            return remember_lang(request, response, lang)

        return wrapped

    def page(
        name: str, request: Request, session: Session, lang: str, status: int = 200, **values: Any
    ) -> Response:
        return html_response(
            d.render(
                name,
                request,
                lang,
                user=session.user,
                csrf=session.csrf,
                role=role_text(session, lang),
                **values,
            ),
            status,
        )

    def role_text(session: Session, lang: str) -> str:
        u = session.user
        if u.is_manager:
            return t(lang, "role_manager")
        return t(lang, "role_department_head", department=dep_name(d.config, u.department, lang))

    # ------------------------------------------------------------------ login
    async def login_form(request: Request) -> Response:
        lang = d.lang(request)
        if d.session(request) is not None:
            return RedirectResponse(f"{request.scope.get('root_path', '')}/", 303)
        return login_page(request, lang, None, 200)

    def login_page(request: Request, lang: str, error: str | None, status: int) -> Response:
        token = new_token()
        response = html_response(
            d.render("login.html", request, lang, csrf=token, error=error, user=None), status
        )
        response.set_cookie(
            LOGIN_CSRF_COOKIE,
            token,
            max_age=3600,
            path="/admin",
            httponly=True,
            samesite="lax",
            secure=d.secure(request),
        )
        return remember_lang(request, response, lang)

    async def login(request: Request) -> Response:
        lang = d.lang(request)
        form = await read_form(request)
        if form is None:
            return json_response({"error": "too big"}, 413)
        if not same_token(first(form, "csrf"), request.cookies.get(LOGIN_CSRF_COOKIE)):
            return login_page(request, lang, t(lang, "csrf"), 403)
        username, password = first(form, "username")[:64], (form.get("password") or [""])[0]
        address = request.client.host if request.client else "unknown"
        now = time.monotonic()
        wait = d.limiter.retry_after(username, address, now)
        if wait > 0:
            minutes = max(1, round(wait / 60))
            return login_page(request, lang, t(lang, "login_limited", minutes=minutes), 429)
        user = await asyncio.to_thread(d.users.authenticate, username, password)
        if user is None:
            d.limiter.failed(username, address, now)
            return login_page(request, lang, t(lang, "login_wrong"), 401)
        d.limiter.succeeded(username)
        cookie, _ = await asyncio.to_thread(d.users.open_session, user, d.clock(), address)
        response = RedirectResponse(f"{request.scope.get('root_path', '')}/", 303)
        response.set_cookie(
            SESSION_COOKIE,
            cookie,
            path="/admin",
            httponly=True,
            samesite="lax",
            secure=d.secure(request),
        )
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/admin")
        return response

    async def logout(request: Request, session: Session, lang: str) -> Response:
        d.users.close_session(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse(f"{request.scope.get('root_path', '')}/login", 303)
        response.delete_cookie(SESSION_COOKIE, path="/admin")
        return response

    # ------------------------------------------------------------------ live
    async def live_page(request: Request, session: Session, lang: str) -> Response:
        live = d.live(session.user, lang)
        return page(
            "live.html",
            request,
            session,
            lang,
            active="live",
            live=live,
            live_html=d.render("_live.html", request, lang, live=live),
            poll_s=POLL_S,
            has_db=d.broker_db is not None,
        )

    def live_json(request: Request, session: Session, lang: str) -> dict[str, Any]:
        live = d.live(session.user, lang)
        return {
            "html": d.render("_live.html", request, lang, live=live),
            "alarms": [a["key"] for a in live["alarms"]],
            "online": live["online"],
        }

    async def live_data(request: Request, session: Session, lang: str) -> Response:
        return json_response(live_json(request, session, lang))

    async def live_events(request: Request, session: Session, lang: str) -> Response:
        async def stream() -> AsyncIterator[dict[str, str]]:
            last = None
            while True:
                version = d.version
                if d.users.session(request.cookies.get(SESSION_COOKIE), d.clock()) is None:
                    yield {"event": "logout", "data": "{}"}
                    return
                data = dumps(live_json(request, session, lang))
                if data != last:
                    last = data
                    yield {"event": "live", "data": data}
                await d.wait_refresh(version, 30)

        return sse(stream())

    # ------------------------------------------------------------------ actions
    def action_values(session: Session, lang: str) -> dict[str, Any]:
        deps = [
            {
                "id": dep.id,
                "name": dep.name.get(lang),
                "matters": [{"id": m.id, "name": m.name.get(lang)} for m in dep.matters],
            }
            for dep in d.config.departments
            if session.user.sees(dep.id)
        ]
        flex = [
            {"id": w.id, "number": w.number, "departments": _serving(w.id)}
            for w in d.config.windows
            if w.flex
        ]
        today = hall_db.today_of(d.clock(), d.config)
        return {
            "departments": deps,
            "flex": flex,
            "today": today.isoformat(),
            "has_admin": d.admin is not None,
            "all_departments": [
                {"id": dep.id, "name": dep.name.get(lang)} for dep in d.config.departments
            ],
        }

    def _serving(window_id: str) -> list[str]:
        state = d.inputs.windows.get(window_id)
        if state is not None:
            return list(state.departments)
        w = d.config.window(window_id)
        return list(w.departments) if w else []

    async def actions_page(request: Request, session: Session, lang: str) -> Response:
        return page(
            "actions.html",
            request,
            session,
            lang,
            active="actions",
            message=None,
            ok=True,
            **action_values(session, lang),
        )

    def said(
        reply: dict[str, Any], lang: str, good: Callable[[dict[str, Any]], str]
    ) -> tuple[bool, str]:
        if reply.get("ok"):
            return True, good(reply.get("data") or {})
        error = reply.get("error") or {}
        if error.get("code") == "timeout":
            return False, t(lang, "no_answer")
        if error.get("code") == "no_admin":
            return False, t(lang, "no_admin")
        return False, t(lang, "refused", code=error.get("code"), message=error.get("message", ""))

    def actor(session: Session) -> str:
        return f"{session.user.username} (web)"[:64]

    async def after_action(
        request: Request,
        session: Session,
        lang: str,
        result: tuple[bool, str],
        status_ok: int = 200,
    ) -> Response:
        ok, message = result
        if ok:
            d.figures_changed()
            await asyncio.sleep(0)  # the retained window state may arrive with the reply
        return page(
            "actions.html",
            request,
            session,
            lang,
            status_ok if ok else 409,
            active="actions",
            message=message,
            ok=ok,
            **action_values(session, lang),
        )

    def forbidden(request: Request, session: Session, lang: str) -> Response:
        return page(
            "message.html", request, session, lang, 403, active="", title=t(lang, "forbidden")
        )

    async def assign(request: Request, session: Session, lang: str) -> Response:
        if not session.user.is_manager:
            return forbidden(request, session, lang)
        form = request.state.form
        window = first(form, "window")
        deps = [v for v in form.get("departments", []) if v]
        reply = await d.admin_command(
            "window.assign", window=window, departments=deps, actor=actor(session)
        )

        def good(data: dict[str, Any]) -> str:
            names = [dep_name(d.config, x, lang) for x in data.get("departments") or []]
            if not names:
                return t(lang, "done_release", window=data.get("number"))
            return t(lang, "done_assign", window=data.get("number"), deps=", ".join(names))

        return await after_action(request, session, lang, said(reply, lang, good))

    async def close_day(request: Request, session: Session, lang: str) -> Response:
        if not session.user.is_manager:
            return forbidden(request, session, lang)
        if first(request.state.form, "confirm") != "yes":
            return await after_action(request, session, lang, (False, t(lang, "close_confirm")))
        reply = await d.admin_command("day.close", actor=actor(session))

        def good(data: dict[str, Any]) -> str:
            s = data.get("summary") or {}
            return t(
                lang,
                "done_close",
                date=s.get("date"),
                issued=s.get("issued"),
                finished=s.get("finished"),
                no_show=s.get("no_show"),
            )

        return await after_action(request, session, lang, said(reply, lang, good))

    async def book(request: Request, session: Session, lang: str) -> Response:
        form = request.state.form
        department = first(form, "department")
        if not session.user.sees(department):
            return forbidden(request, session, lang)
        zone = ZoneInfo(d.config.hall.timezone)
        try:
            local = datetime.fromisoformat(first(form, "booked_at"))
        except ValueError:
            return await after_action(
                request,
                session,
                lang,
                (False, t(lang, "refused", code="invalid", message="booked_at")),
            )
        at = local if local.tzinfo else local.replace(tzinfo=zone)
        args: dict[str, Any] = {
            "department": department,
            "booked_at": at.isoformat(),
            "actor": actor(session),
            "lang": lang,
        }
        for key in ("matter", "phone"):
            if first(form, key):
                args[key] = first(form, key)
        reply = await d.admin_command("appointment.book", **args)

        def good(data: dict[str, Any]) -> str:
            a = data.get("appointment") or {}
            when = datetime.fromisoformat(str(a.get("booked_at", "")).replace("Z", "+00:00"))
            return t(
                lang,
                "done_book",
                code=a.get("code"),
                department=dep_name(d.config, a.get("department"), lang),
                at=when.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            )

        return await after_action(request, session, lang, said(reply, lang, good))

    # ------------------------------------------------------------------ complaints
    def complaint_book() -> ComplaintBook | None:
        return ComplaintBook(d.config, d.broker_db) if d.broker_db is not None else None

    async def complaints_page(
        request: Request,
        session: Session,
        lang: str,
        message: str | None = None,
        ok: bool = True,
        status: int = 200,
    ) -> Response:
        book_ = complaint_book()
        rows: list[dict[str, Any]] = []
        today = hall_db.today_of(d.clock(), d.config)
        if book_ is not None:
            for c in await asyncio.to_thread(book_.list):
                if not session.user.sees(c.department):
                    continue
                state = "answered" if c.answered_at else ("overdue" if c.overdue(today) else "open")
                w = d.config.window(c.window) if c.window else None
                staff = d.config.staff_member(c.staff) if c.staff else None
                rows.append(
                    {
                        "id": c.id,
                        "text": c.text,
                        "channel": t(lang, f"ch_{c.channel}"),
                        "state": state,
                        "state_text": t(lang, f"c_{state if state != 'answered' else 'answered'}"),
                        "due": c.due_on.isoformat(),
                        "about": " · ".join(
                            x
                            for x in (
                                f"{t(lang, 'window')} {w.number}" if w else "",
                                staff.name.get(lang) if staff else "",
                                c.ticket_id or "",
                            )
                            if x
                        ),
                        "answer": c.answer or "",
                        "received": c.received_at.astimezone(d.zone).strftime("%Y-%m-%d %H:%M"),
                    }
                )
        rows.reverse()
        windows = [
            {"id": w.id, "number": w.number}
            for w in d.config.windows
            if session.user.is_manager
            or session.user.department in _serving(w.id)
            or session.user.department in w.departments
        ]
        staff_rows = [
            {"id": s.id, "name": s.name.get(lang)}
            for s in d.config.staff
            if session.user.sees(s.department)
        ]
        channels = [{"id": c, "name": t(lang, f"ch_{c}")} for c in CHANNELS]
        return page(
            "complaints.html",
            request,
            session,
            lang,
            status,
            active="complaints",
            complaints=rows,
            windows=windows,
            staff=staff_rows,
            channels=channels,
            message=message,
            ok=ok,
            has_db=book_ is not None,
        )

    async def complaint_add(request: Request, session: Session, lang: str) -> Response:
        form = request.state.form
        book_ = complaint_book()
        if book_ is None:
            return await complaints_page(request, session, lang, t(lang, "no_db"), False, 409)
        window = first(form, "window") or None
        staff = first(form, "staff") or None
        ticket = first(form, "ticket") or None
        user = session.user
        if not user.is_manager:
            w = d.config.window(window) if window else None
            s = d.config.staff_member(staff) if staff else None
            # Every field given must be the head's own, and at least one is given.
            window_ok = window is None or (
                w is not None and user.department in (w.departments + _serving(w.id))
            )
            staff_ok = staff is None or (s is not None and s.department == user.department)
            dep = next((x for x in d.config.departments if x.id == user.department), None)
            ticket_ok = ticket is None or (
                dep is not None
                and re.fullmatch(re.escape(dep.prefix) + r"\d+", ticket.rsplit("-", 1)[-1])
                is not None
            )
            if not (window or staff) or not (window_ok and staff_ok and ticket_ok):
                return forbidden(request, session, lang)
        try:
            c = await asyncio.to_thread(
                book_.add,
                first(form, "text"),
                first(form, "channel") or "in_person",
                d.clock(),
                window=window,
                staff=staff,
                ticket_id=ticket,
            )
        except ComplaintError as exc:
            return await complaints_page(request, session, lang, str(exc), False, 409)
        return await complaints_page(
            request, session, lang, t(lang, "done_complaint", id=c.id, due=c.due_on), True
        )

    async def complaint_answer(request: Request, session: Session, lang: str) -> Response:
        book_ = complaint_book()
        if book_ is None:
            return await complaints_page(request, session, lang, t(lang, "no_db"), False, 409)
        try:
            complaint_id = int(request.path_params["id"])
        except ValueError:
            return await complaints_page(request, session, lang, "?", False, 404)
        known = {c.id: c for c in await asyncio.to_thread(book_.list)}
        c = known.get(complaint_id)
        if c is None or not session.user.sees(c.department):
            return forbidden(request, session, lang)
        try:
            await asyncio.to_thread(
                book_.answer, complaint_id, first(request.state.form, "text"), d.clock()
            )
        except ComplaintError as exc:
            return await complaints_page(request, session, lang, str(exc), False, 409)
        return await complaints_page(
            request, session, lang, t(lang, "done_answer", id=complaint_id), True
        )

    # ------------------------------------------------------------------ rectification cases
    def case_book() -> CaseBook | None:
        return CaseBook(d.config, d.broker_db) if d.broker_db is not None else None

    async def cases_page(request: Request, session: Session, lang: str) -> Response:
        book_ = case_book()
        user = session.user
        q = request.query_params
        state = q.get("state") or "open"
        state = state if state in case_view.FILTERS else "open"
        department = q.get("department") or ""
        clerk = q.get("clerk") or ""
        today = hall_db.today_of(d.clock(), d.config)
        seen = []
        if book_ is not None:
            seen = [c for c in await asyncio.to_thread(book_.list) if case_view.visible(user, c)]
        shown = [
            case_view.summary(d.config, c, today, lang, d.zone)
            for c in reversed(seen)
            if case_view.matches(c, state, today)
            and (not department or c.department == department)
            and (not clerk or c.staff == clerk)
        ]
        departments = [
            {"id": dep.id, "name": dep.name.get(lang)}
            for dep in d.config.departments
            if user.sees(dep.id)
        ]
        clerks = [
            {"id": s.id, "name": s.name.get(lang)}
            for s in d.config.staff
            if user.sees(s.department)
        ]
        filters = [
            {
                "id": f,
                "name": t(lang, f"f_{f}"),
                "href": "?" + urlencode({"state": f, "department": department, "clerk": clerk}),
            }
            for f in case_view.FILTERS
        ]
        local_day = book_.local_day if book_ is not None else (lambda at: today)
        return page(
            "cases.html",
            request,
            session,
            lang,
            active="cases",
            has_db=book_ is not None,
            cases=shown,
            state=state,
            department=department,
            clerk=clerk,
            departments=departments,
            clerks=clerks,
            filters=filters,
            counts=case_view.count_rows(d.config, seen, local_day, today, lang),
            count_heads=[t(lang, f"n_{k}") for k in CASE_COUNTS],
        )

    async def case_of(request: Request, session: Session) -> tuple[CaseBook | None, Any]:
        """The book and the case the URL names, if this user may see it (else None)."""
        book_ = case_book()
        if book_ is None:
            return None, None
        raw = request.path_params["id"]
        if not (raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**31):
            return book_, None  # an id no database column holds: no case
        try:
            c = await asyncio.to_thread(book_.get, int(raw))
        except CaseError:
            return book_, None
        return book_, c if case_view.visible(session.user, c) else None

    async def case_detail_page(
        request: Request,
        session: Session,
        lang: str,
        message: str | None = None,
        ok: bool = True,
        status: int = 200,
    ) -> Response:
        book_, c = await case_of(request, session)
        if book_ is None:
            return page(
                "message.html", request, session, lang, 409, active="", title=t(lang, "no_db")
            )
        if c is None:
            # Another department's case and a case that does not exist look the same.
            return page(
                "message.html",
                request,
                session,
                lang,
                404,
                active="",
                title=t(lang, "no_such_case"),
            )
        reasons = await asyncio.to_thread(book_.reasons, c)
        today = hall_db.today_of(d.clock(), d.config)
        now_local = d.clock().astimezone(d.zone).strftime("%Y-%m-%dT%H:%M")
        return page(
            "case.html",
            request,
            session,
            lang,
            status,
            active="cases",
            case=case_view.detail(
                d.config, c, reasons, today, calendar_for(d.config), lang, d.zone
            ),
            message=message,
            ok=ok,
            now_local=now_local,
            name_max=case_view.NAME_MAX,
            text_max=case_view.TEXT_MAX,
        )

    def case_step(
        what: str, manager_only: bool = False
    ) -> Callable[[Request, Session, str], Awaitable[Response]]:
        """A POST on one case: the user may see it (else 404, nothing done), the form is
        checked here and then by the CaseBook; a refusal is shown and changes nothing."""

        async def handler(request: Request, session: Session, lang: str) -> Response:
            book_, c = await case_of(request, session)
            if book_ is None or c is None:
                return await case_detail_page(request, session, lang)
            if manager_only and not session.user.is_manager:
                return forbidden(request, session, lang)
            form = request.state.form
            now = d.clock()

            def refuse(message: str) -> Awaitable[Response]:
                return case_detail_page(request, session, lang, message, False, 409)

            fields = {k: first(form, k) for k in ("by", "outcome", "text", "reason")}
            for key, value in fields.items():
                limit = case_view.NAME_MAX if key == "by" else case_view.TEXT_MAX
                if len(value) > limit:
                    return await refuse(t(lang, "case_too_long", n=limit))
            try:
                if what == "callback":
                    at = now
                    when = first(form, "at").strip()
                    if when:
                        try:
                            local = datetime.fromisoformat(when.replace(" ", "T"))
                        except ValueError:
                            return await refuse(t(lang, "case_bad_time"))
                        at = local if local.tzinfo else local.replace(tzinfo=d.zone)
                        if at > now:
                            return await refuse(t(lang, "case_future_time"))
                        if at < case_view.aware(c.opened_at).replace(second=0, microsecond=0):
                            return await refuse(t(lang, "case_early_time"))
                    done = await asyncio.to_thread(
                        book_.callback, c.id, fields["by"], fields["outcome"], at
                    )
                    said_ = t(lang, "done_callback", id=done.id)
                elif what == "fix":
                    done = await asyncio.to_thread(book_.fix, c.id, fields["text"], now)
                    said_ = t(lang, "done_fix", id=done.id)
                elif what == "appeal":
                    done = await asyncio.to_thread(book_.appeal, c.id, fields["reason"], now)
                    said_ = t(lang, "done_appeal", id=done.id)
                elif what == "decide":
                    decision = first(form, "decision")
                    done = await asyncio.to_thread(
                        book_.decide, c.id, decision, actor(session), fields["reason"], now
                    )
                    said_ = t(
                        lang, "done_decide", id=done.id, decision=t(lang, f"decision_{decision}")
                    )
                else:
                    done = await asyncio.to_thread(book_.close, c.id, actor(session), now)
                    said_ = t(lang, "done_close_case", id=done.id)
            except CaseError as exc:
                return await refuse(case_view.refusal(lang, str(exc)))
            return await case_detail_page(request, session, lang, said_, True)

        return handler

    # ------------------------------------------------------------------ reports
    def period_of(request: Request, lang: str):
        text = request.query_params.get("period") or "today"
        today = hall_db.today_of(d.clock(), d.config)
        try:
            start, end = parse_period(text, today)
        except ValueError as exc:
            return text, None, t(lang, "bad_period", error=str(exc))
        return text, (start, end), None

    async def make_report(request: Request, session: Session, lang: str):
        text, period, error = period_of(request, lang)
        if period is None or d.broker_db is None:
            return text, None, error or t(lang, "no_db")
        start, end = period
        report = await asyncio.to_thread(
            hall_db.report_for, d.config, d.broker_db, start, end, lang, session.user, d.clock()
        )
        return text, report, None

    async def reports_page(request: Request, session: Session, lang: str) -> Response:
        text, report, error = await make_report(request, session, lang)
        tables = []
        if report is not None:
            for tb in report.tables:
                tables.append(
                    {
                        "name": tb.name,
                        "title": tb.title(lang),
                        "note": tb.note_text(lang),
                        "headings": [heading(c, lang) for c in tb.columns],
                        "numeric": [c.kind != "text" for c in tb.columns],
                        "rows": [
                            [html_cell(c, row.get(c.key)) for c in tb.columns] for row in tb.rows
                        ],
                    }
                )
        return page(
            "reports.html",
            request,
            session,
            lang,
            200 if error is None else 400,
            active="reports",
            period=text,
            error=error,
            tables=tables,
            span=t(lang, "report_of", start=report.start, end=report.end) if report else "",
            query=urlencode({"period": text, "lang": lang}),
        )

    async def report_download(request: Request, session: Session, lang: str) -> Response:
        _, report, error = await make_report(request, session, lang)
        if report is None:
            return json_response({"error": error}, 400)
        base = f"{d.config.hall.id}_{report.start}_{report.end}"
        if not session.user.is_manager:
            base += f"_{session.user.department}"
        if request.query_params.get("format") == "csv":
            data = await asyncio.to_thread(csv_zip_bytes, report)
            return attachment(data, f"{base}_csv.zip", "application/zip")
        data = await asyncio.to_thread(xlsx_bytes, report)
        return attachment(
            data,
            f"{base}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )

    return [
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", login_required(logout, post=True), methods=["POST"]),
        Route("/", login_required(live_page), methods=["GET"]),
        Route("/live.json", login_required(live_data), methods=["GET"]),
        Route("/events", login_required(live_events), methods=["GET"]),
        Route("/actions", login_required(actions_page), methods=["GET"]),
        Route("/actions/assign", login_required(assign, post=True), methods=["POST"]),
        Route("/actions/close-day", login_required(close_day, post=True), methods=["POST"]),
        Route("/actions/book", login_required(book, post=True), methods=["POST"]),
        Route("/complaints", login_required(complaints_page), methods=["GET"]),
        Route("/complaints", login_required(complaint_add, post=True), methods=["POST"]),
        Route(
            "/complaints/{id}/answer", login_required(complaint_answer, post=True), methods=["POST"]
        ),
        Route("/cases", login_required(cases_page), methods=["GET"]),
        Route("/cases/{id}", login_required(case_detail_page), methods=["GET"]),
        *(
            Route(
                f"/cases/{{id}}/{what}",
                login_required(case_step(what, manager_only=what == "decide"), post=True),
                methods=["POST"],
            )
            for what in ("callback", "fix", "appeal", "decide", "close")
        ),
        Route("/reports", login_required(reports_page), methods=["GET"]),
        Route("/reports/download", login_required(report_download), methods=["GET"]),
    ]
