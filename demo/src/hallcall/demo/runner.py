"""The one-command demo: an embedded MQTT server, the queue broker on SQLite, simulated devices.

Kiosks take tickets, clerks log in and call, serve, transfer and finish them, rating pads rate,
and the lobby display's view of it is printed line by line, so a newcomer sees the whole system
work in seconds, with or without a screen. Every message crosses a real MQTT server.
"""

from __future__ import annotations

import json
import logging
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection
from pathlib import Path

from sqlalchemy import text

from hallcall.broker.server import QueueBrokerServer
from hallcall.broker.service.bootstrap import build_bus
from hallcall.broker.storage.database import create_db_engine
from hallcall.broker.storage.migrate import upgrade
from hallcall.config.loader import DEMO_PIN
from hallcall.config.schema import HallConfig
from hallcall.demo.embedded_mqtt import DEMO_USERNAME, EmbeddedBroker
from hallcall.mqtt.client import DeviceClient, RequestTimeout
from hallcall.mqtt.settings import MqttSettings
from hallcall.web.app import WebOptions
from hallcall.web.background import RunningWeb, serve_in_background
from hallcall.web.hub import WebHub

log = logging.getLogger(__name__)


OUTCOMES = {
    "done": {"zh": "办结", "en": "done"},
    "returned": {"zh": "退回", "en": "returned"},
    "needs_documents": {"zh": "需补件", "en": "needs more documents"},
}


class LobbyPrinter:
    """Prints what the lobby display would show and say, from the broker's events."""

    def __init__(self, config: HallConfig, lang: str, out: Callable[[str], None] = print):
        self.config, self.lang, self.out = config, lang, out
        self.lines: list[str] = []
        self.problems = 0

    def _say(self, text: str) -> None:
        self.lines.append(text)
        self.out(f"{time.strftime('%H:%M:%S')}  {text}")

    def _dep(self, dep_id: str) -> str:
        dep = self.config.department(dep_id)
        return dep.name.get(self.lang) if dep else dep_id

    def _wait(self, t: dict) -> str:
        ahead, secs = t.get("waiting_ahead") or 0, t.get("estimated_wait_s") or 0
        zh = self.lang == "zh"
        if not ahead:
            return "无需等候" if zh else "no one ahead"
        mins = max(1, round(secs / 60))
        return f"前面 {ahead} 人，约 {mins} 分钟" if zh else f"{ahead} ahead, about {mins} min"

    def _staff(self, staff_id: str | None) -> str:
        s = self.config.staff_member(staff_id) if staff_id else None
        return s.name.get(self.lang) if s else "?"

    def on_event(self, topic: str, e: dict) -> None:
        t = e.get("ticket") or {}
        kind = e.get("type")
        zh = self.lang == "zh"
        if kind == "ticket.issued":
            prio = (" 【优先】" if zh else " [priority]") if t.get("priority") == "priority" else ""
            self._say(
                f"取号 {t['number']}{prio}  {self._dep(t['department'])}（{self._wait(t)}）"
                if zh
                else f"ticket {t['number']}{prio} taken for {self._dep(t['department'])} ({self._wait(t)})"
            )
        elif kind in ("ticket.called", "ticket.recalled"):
            again = ("（重呼）" if zh else " (recall)") if kind == "ticket.recalled" else ""
            self._say(
                f"📢 请 {t['number']} 号到 {e['window_number']} 号窗口办理{again}（{self._staff(e.get('staff'))}）"
                if zh
                else f"📢 Number {t['number']}, please go to window {e['window_number']}{again}"
                f" ({self._staff(e.get('staff'))})"
            )
        elif kind == "ticket.finished":
            raw = t.get("outcome")
            outcome = OUTCOMES.get(raw, {}).get(self.lang, raw) if isinstance(raw, str) else raw
            self._say(
                f"办结 {t['number']}：{outcome}" if zh else f"finished {t['number']}: {outcome}"
            )
        elif kind == "ticket.transferred":
            self._say(
                f"转办 {t['number']} → {self._dep(t['department'])}"
                if zh
                else f"transferred {t['number']} -> {self._dep(t['department'])}, keeping its place"
            )
        elif kind == "ticket.no_show":
            self._say(f"过号 {t['number']}" if zh else f"no-show {t['number']}")
        elif kind == "rating.recorded":
            w = self.config.window(e["window"])
            number = w.number if w else e["window"]
            self._say(
                f"{number} 号窗口收到一条评价" if zh else f"rating received at window {number}"
            )


class Simulation:
    """Simulated kiosks, clerks and rating pads talking to the queue broker over MQTT."""

    def __init__(
        self,
        config: HallConfig,
        settings: MqttSettings,
        speed: float = 1.0,
        seed: int = 7,
        reserved: frozenset[str] = frozenset(),
    ):
        """`reserved`: departments left to a person (no simulated ticket, window or transfer)."""
        self.config, self.settings, self.speed = config, settings, speed
        self.reserved = reserved
        self.random = random.Random(seed)
        self.stop_event = threading.Event()
        self.clients: list[DeviceClient] = []
        self.threads: list[threading.Thread] = []
        self.errors: list[str] = []
        #: Called once, with the first ticket a simulated kiosk took (its token opens its page).
        self.on_first_ticket: Callable[[dict], None] | None = None
        self._first_lock = threading.Lock()

    def _client(self, kind: str, device_id: str, subs: list[str] | None = None) -> DeviceClient:
        c = DeviceClient(self.config.hall.id, kind, device_id, self.settings, subs)
        c.start()
        if not c.wait_connected(10):
            raise RuntimeError(f"{kind} {device_id} could not connect to MQTT")
        self.clients.append(c)
        return c

    def _sleep(self, seconds: float) -> bool:
        return not self.stop_event.wait(seconds / self.speed)

    def start(self, lobby: LobbyPrinter, leave: Collection[tuple[str, str]] = frozenset()) -> None:
        """Simulate every device but those in `leave` ((kind, id): a person drives them)."""
        display = self._client("display", "lobby-printer", ["state/#", "event/#"])
        display.on_event(lobby.on_event)
        kiosks = [
            d.id for d in self.config.devices if d.kind == "kiosk" and ("kiosk", d.id) not in leave
        ]
        for k in kiosks:
            self._spawn(self._kiosk, self._client("kiosk", k))
        pads = {d.window: d.id for d in self.config.devices if d.kind == "rating"}
        used: set[str] = set()
        for w in self.config.windows:
            if ("window", w.id) in leave or self.reserved & set(w.departments):
                continue
            staff = next(
                (
                    s
                    for s in self.config.staff
                    if s.id not in used and s.department in w.departments
                ),
                None,
            )
            if staff is None:
                continue
            used.add(staff.id)
            pad = self._client("rating", pads[w.id]) if w.id in pads else None
            self._spawn(self._clerk, self._client("window", w.id), staff.id, staff.post, pad)

    def _spawn(self, fn, *args) -> None:
        t = threading.Thread(target=self._guard, args=(fn, *args), daemon=True)
        self.threads.append(t)
        t.start()

    def _guard(self, fn, *args) -> None:
        try:
            fn(*args)
        except RequestTimeout as exc:
            if not self.stop_event.is_set():
                self.errors.append(str(exc))
        except Exception as exc:  # shown at the end of the demo
            log.exception("simulated device failed")
            self.errors.append(repr(exc))

    def _kiosk(self, kiosk: DeviceClient) -> None:
        deps = [d for d in self.config.departments if d.id not in self.reserved]
        while self._sleep(self.random.uniform(0.4, 1.5)):
            dep = self.random.choice(deps)
            matter = self.random.choice(dep.matters).id if dep.matters else None
            priority = "priority" if self.random.random() < 0.1 else "normal"
            reply = kiosk.request(
                "ticket.issue",
                department=dep.id,
                matter=matter,
                priority=priority,
                lang=self.random.choice(self.config.hall.languages),
            )
            if not reply["ok"] and reply["error"]["code"] != "closed":
                self.errors.append(f"{kiosk.id}: {reply['error']['message']}")
            elif reply["ok"] and self.on_first_ticket is not None:
                with self._first_lock:
                    tell, self.on_first_ticket = self.on_first_ticket, None
                if tell is not None:
                    tell(reply["data"]["ticket"])

    def _clerk(self, window: DeviceClient, staff: str, post: str, pad: DeviceClient | None) -> None:
        reply = window.request("window.login", staff=staff, post=post, pin=DEMO_PIN)
        if not reply["ok"]:
            self.errors.append(f"login {window.id}: {reply['error']['message']}")
            return
        if reply["data"].get("current"):  # a visitor left at the window: finish with them first
            window.request("ticket.finish", outcome="done")
        others = [d.id for d in self.config.departments if d.id not in self.reserved]
        while self._sleep(0.3):
            reply = window.request("call.next")
            if not reply["ok"]:
                if reply["error"]["code"] != "empty":
                    self.errors.append(f"{window.id}: {reply['error']['message']}")
                continue
            ticket = reply["data"]["ticket"]
            if not self._sleep(self.random.uniform(0.5, 2.0)):
                return
            roll = self.random.random()
            if roll < 0.08:
                window.request("call.recall")
                self._sleep(0.5)
                window.request("ticket.no_show")
                continue
            if roll < 0.16:
                target = self.random.choice([d for d in others if d != ticket["department"]])
                window.request("ticket.transfer", department=target)
                continue
            outcome = self.random.choices(
                ["done", "returned", "needs_documents"], [0.85, 0.05, 0.1]
            )[0]
            window.request("ticket.finish", outcome=outcome)
            if pad is not None and self.random.random() < 0.8:
                score = self.random.choices([3, 2, 1], [0.8, 0.15, 0.05])[0]
                pad.request("rating.submit", ticket_id=ticket["id"], score=score)

    def stop(self) -> None:
        self.stop_event.set()
        for t in self.threads:
            t.join(timeout=10)
        for c in self.clients:
            c.stop()


#: The real apps the demo opens when there is a screen: (kind, id, command, device file).
SCREEN_APPS = (
    (
        "kiosk",
        "kiosk-1",
        ["kiosk", "--windowed"],
        'device = "kiosk-1"\nfullscreen = false\nsize = [1080, 1440]\n'
        'language = "{lang}"\n[printer]\nkind = "file"\npath = "{data}/kiosk-1-printer.bin"\n',
    ),
    (
        "display",
        "lobby",
        ["display", "--windowed"],
        'device = "lobby"\nlayout = "landscape"\nfullscreen = false\nlanguages = {languages}\n'
        "[voice]\nenabled = {voice}\n",
    ),
    ("window", "w02", ["window"], 'device = "w02"\nfullscreen = false\nlanguage = "{lang}"\n'),
    (
        "rating",
        "pad-w02",
        ["rating-pad", "--windowed"],
        'device = "pad-w02"\nfullscreen = false\nlanguage = "{lang}"\n',
    ),
)
#: The window whose clerk terminal the newcomer drives (SCREEN_APPS); its departments are theirs.
NEWCOMER_WINDOW = "w02"


def screen_present() -> bool:
    """A desktop to open windows on (and not Qt's offscreen platform)."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    return (
        bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        and platform != "offscreen"
    )


def start_screen_apps(
    config: HallConfig, settings: MqttSettings, data_dir: Path, voice: bool
) -> list[subprocess.Popen]:
    """Open the kiosk, the lobby display, window 2's clerk terminal and its rating pad."""
    procs = []
    for kind, device_id, command, body in SCREEN_APPS:
        path = data_dir / f"demo-{kind}-{device_id}.toml"
        path.write_text(
            f'hall = "{config.hall.id}"\n'
            + body.format(
                data=data_dir.as_posix(),
                voice=str(voice).lower(),
                lang=config.hall.default_language,
                languages=json.dumps(config.hall.languages),
            )
            + f'[mqtt]\nhost = "{settings.host}"\nport = {settings.port}\nusername = "{settings.username}"\n',
            encoding="utf-8",
        )
        log_file = (data_dir / f"demo-{kind}-{device_id}.log").open("w")
        time.sleep(0.5)  # amqtt mishandles clients that connect at the same moment: stagger them
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "hallcall.cli",
                    command[0],
                    "--device",
                    str(path),
                    *command[1:],
                ],
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        )
    return procs


def stop_screen_apps(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def in_language(config: HallConfig, lang: str | None) -> HallConfig:
    """The hall with `lang` as its default and first language: every screen starts in it."""
    if lang is None or lang not in config.hall.languages:
        return config
    languages = [lang, *(x for x in config.hall.languages if x != lang)]
    return config.model_copy(
        update={
            "hall": config.hall.model_copy(
                update={"default_language": lang, "languages": languages}
            )
        }
    )


def open_all_day(config: HallConfig) -> HallConfig:
    """The hall without its closing hour: a demo started after it (17:30 in Shanghai is 09:30
    UTC) would otherwise close the day under the visitor's eyes at the broker's first tick."""
    return config.model_copy(update={"hall": config.hall.model_copy(update={"close_at": None})})


def newcomer(config: HallConfig) -> tuple[frozenset[str], str | None]:
    """The departments of the newcomer's window and a clerk of theirs who may log in there."""
    window = config.window(NEWCOMER_WINDOW)
    if window is None:
        return frozenset(), None
    deps = frozenset(window.departments)
    staff = sorted(
        (s for s in config.staff if s.department in deps), key=lambda s: (s.post != "A", s.id)
    )
    return deps, staff[0].id if staff else None


def newcomer_hint(
    config: HallConfig, lang: str, clerk: str | None, reserved: frozenset[str], seconds: float
) -> list[str]:
    """What the screens are and what the newcomer does with them."""
    window = config.window(NEWCOMER_WINDOW)
    number = window.number if window else NEWCOMER_WINDOW
    names = []
    for dep_id in sorted(reserved):
        dep = config.department(dep_id)
        # The newcomer's window serves only departments that exist (HallConfig checks it).
        assert dep is not None, dep_id
        names.append(dep.name.get(lang))
    if lang == "zh":
        return [
            f"  已打开自助取号机、大厅显示屏、{number} 号窗口的窗口终端和评价器",
            f"  {'、'.join(names)}只由你办理：在 {number} 号窗口以 {clerk}（PIN {DEMO_PIN}）登录，到取号机取一个号，"
            "叫号、办结，再在评价器上评价",
            "  演示一直运行，按 Ctrl-C 结束" if not seconds else f"  演示运行 {seconds:g} 秒",
            "  另开一个终端可以试试：",
        ]
    return [
        f"  opened the kiosk, the lobby display, window {number}'s clerk terminal and its rating pad",
        f"  {', '.join(names)}: yours alone. Log in at window {number} as {clerk} (PIN {DEMO_PIN}), take a ticket for it"
        " at the kiosk, call it, finish it, and rate it on the pad",
        "  the demo runs until Ctrl-C" if not seconds else f"  the demo runs {seconds:g} s",
        "  in another terminal, try:",
    ]


def try_commands(
    config_path: str, db_url: str, port: int, lang: str, department: str | None
) -> list[str]:
    """What a newcomer can run in another terminal against the running demo."""
    mqtt = f"--mqtt-port {port} --mqtt-user {DEMO_USERNAME}"
    hc = ".venv/bin/hallcall"
    zh = lang == "zh"
    dep = department or "registrar"
    lines = [
        (
            "预约一个号（到自助机签到）" if zh else "book an appointment (check in at the kiosk)",
            f"{hc} admin book --as you --config {config_path} {mqtt} --department {dep} "
            f"--at $(date -d '+20 min' -Iminutes) --code 123456",
        ),
        (
            "把弹性窗口 7 分给该部门" if zh else "give flex window 7 to that department",
            f"{hc} admin assign --as you --config {config_path} {mqtt} w07 {dep}",
        ),
        (
            "今天的报表" if zh else "today's report",
            f"{hc} report --config {config_path} --db {db_url} --period today",
        ),
        (
            "结束今天的服务（每张票都会被处理）"
            if zh
            else "close the day (every open ticket is ended)",
            f"{hc} admin close-day --as you --config {config_path} {mqtt}",
        ),
    ]
    return [f"  {what}:\n    {cmd}" for what, cmd in lines]


def second_hall(config: HallConfig) -> HallConfig:
    """The demo's second hall: the same departments under another id and name."""
    name = config.hall.name.model_copy(
        update={
            "zh": f"{config.hall.name.zh}（东区）" if config.hall.name.zh else None,
            "en": f"{config.hall.name.en} (East)" if config.hall.name.en else None,
        }
    )
    hall_id = f"{config.hall.id[:27]}-east"
    return config.model_copy(
        update={"hall": config.hall.model_copy(update={"id": hall_id, "name": name})}
    )


def _stop_on_sigterm() -> Callable[[], None]:
    """SIGTERM ends the demo as Ctrl-C does (its apps, then the rest); returns the undo."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)

    def undo() -> None:
        # None: the handler before was not set from Python, and signal() takes no None back.
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)

    return undo


def start_web(
    config: HallConfig, settings: MqttSettings, lang: str, out: Callable[[str], None]
) -> RunningWeb | None:
    """The web part (the lobby page, the visitors' ticket pages) on a free loopback port."""
    web_id = next((d.id for d in config.devices if d.kind == "web"), None)
    if web_id is None:
        out("  no web device in the hall file: the web pages are not started")
        return None
    web = serve_in_background(
        WebHub(config.hall.id, settings, web_id), WebOptions(near_ahead=config.hall.near_ahead)
    )
    out(
        f"  网页：大厅屏幕 {web.url}/lobby"
        if lang == "zh"
        else f"  web pages: the lobby screen at {web.url}/lobby"
    )
    return web


def run_demo(
    config: HallConfig,
    data_dir: Path,
    seconds: float = 30,
    lang: str | None = None,
    speed: float = 1.0,
    out: Callable[[str], None] = print,
    screens: bool = False,
    voice: bool = False,
    keep_data: bool = False,
    config_path: str = "config/src/hallcall/config/halls/example-university.toml",
) -> LobbyPrinter:
    """Run the whole system for `seconds` (0: until interrupted) and print what happens.

    With `screens`, the real kiosk, lobby display, clerk terminal (window 2) and rating pad open
    as windows and a person drives them; the simulation runs every other device.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    db_path = data_dir / "demo.db"
    if not keep_data:  # every demo starts a fresh day: numbers from A001, no one left at a window
        for leftover in (db_path, data_dir / "demo.db-wal", data_dir / "demo.db-shm"):
            leftover.unlink(missing_ok=True)
    db_url = f"sqlite:///{db_path}"
    mqtt_server = EmbeddedBroker()
    mqtt_server.start()
    settings = MqttSettings(port=mqtt_server.port, username=DEMO_USERNAME)
    engine = create_db_engine(db_url)
    upgrade(engine)
    config = open_all_day(in_language(config, lang))
    reserved, clerk = newcomer(config) if screens else (frozenset(), None)
    # One queue broker process serves every hall: the demo runs a second, quieter hall beside it.
    second = second_hall(config)
    # The simulated day runs faster than real time (--speed), past any real device's rate limit.
    broker = QueueBrokerServer(build_bus([config, second], engine, rate_limits=False), settings)
    lobby = LobbyPrinter(config, lang or config.hall.default_language, out)
    sim = Simulation(config, settings, speed, reserved=reserved)
    sim_second = Simulation(second, settings, speed, seed=8)
    hall_name = config.hall.name.get(lobby.lang)
    out(f"HallCall demo: {hall_name}")
    out(f"  embedded MQTT server on 127.0.0.1:{mqtt_server.port}, database {db_url}")
    out(
        f"  one queue broker serves two halls: {config.hall.id} (printed below) and {second.hall.id}"
    )
    apps: list[subprocess.Popen] = []
    web: RunningWeb | None = None
    restore = _stop_on_sigterm()
    try:
        broker.start()
        if not broker.ready.wait(20):
            raise RuntimeError("the queue broker did not come up")
        web = start_web(config, settings, lobby.lang, out)
        if web is not None:
            running = web

            def first_ticket(ticket: dict) -> None:
                page = f"{running.url}/t/{ticket['token']}"
                out(
                    f"  {ticket['number']} 的手机页面（二维码里的链接）：{page}"
                    if lobby.lang == "zh"
                    else f"  the phone page of {ticket['number']} (its QR code's link): {page}"
                )

            sim.on_first_ticket = first_ticket
        leave = {(kind, device_id) for kind, device_id, _, _ in SCREEN_APPS} if screens else set()
        if screens:
            apps = start_screen_apps(config, settings, data_dir, voice)
            for line in newcomer_hint(config, lobby.lang, clerk, reserved, seconds):
                out(line)
            for line in try_commands(
                config_path, db_url, mqtt_server.port, lobby.lang, min(reserved, default=None)
            ):
                out(line)
        sim.start(lobby, leave)
        sim_second.start(LobbyPrinter(second, lobby.lang, lambda _line: None))
        deadline = time.monotonic() + seconds if seconds else None
        while deadline is None or time.monotonic() < deadline:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        for (kind, device_id, _, _), proc in zip(SCREEN_APPS, apps, strict=False):
            if proc.poll() is not None:  # it should still be running: it ends with the demo
                sim.errors.append(
                    f"the {kind} app {device_id} stopped early (exit {proc.returncode}); "
                    f"see {data_dir / f'demo-{kind}-{device_id}.log'}"
                )
        restore()
        stop_screen_apps(apps)
        sim.stop()
        sim_second.stop()
        if web is not None:
            web.stop()
        broker.stop()
        mqtt_server.stop()
    for err, count in Counter(sim.errors + sim_second.errors).items():
        out(f"  problem: {err}" + (f" (x{count})" if count > 1 else ""))
    lobby.problems = len(sim.errors) + len(sim_second.errors)
    zh = lobby.lang == "zh"
    with engine.connect() as conn:
        counts = {
            hall: (issued, served or 0)
            for hall, issued, served in conn.execute(
                text(
                    "SELECT hall_id, count(*), sum(CASE WHEN status = 'finished' THEN 1 ELSE 0 END)"
                    " FROM tickets GROUP BY hall_id"
                )
            )
        }
    engine.dispose()
    issued, served = counts.get(config.hall.id, (0, 0))
    other_issued, other_served = counts.get(second.hall.id, (0, 0))
    out(
        f"演示结束：取号 {issued} 张，办结 {served} 张（{second.hall.id}：取号 {other_issued} 张，"
        f"办结 {other_served} 张）。数据库：{db_path}"
        if zh
        else f"demo finished: {issued} tickets issued, {served} served ({second.hall.id}: "
        f"{other_issued} issued, {other_served} served). Database: {db_path}"
    )
    out(
        f"试试：.venv/bin/hallcall report --config {config_path} --db {db_url} --period today"
        if zh
        else f"try: .venv/bin/hallcall report --config {config_path} --db {db_url} --period today"
    )
    return lobby
