"""The kiosk: the device kit's DeviceApp (MQTT, ticking) with the kiosk's model and window, and
the printer.

Threads: paho's network thread only emits Qt signals (DeviceBridge); the printer runs on one
worker thread of its own (a status query on a silent serial printer takes up to a second, a
ticket over 9600 baud much longer) and hands its answers back to the GUI thread as a signal;
the model and the widgets are only ever touched on the GUI thread.

Commands go out through the device kit's one request style (`DeviceApp.request`: a request_id
the model chose, sent again while unanswered, a "timeout" reply at the deadline); a reply after
the deadline arrives as the model's `late_reply`, and the model matches both to
its pending or abandoned request. So a reply can never fall between "gave up waiting" and
"stopped listening".
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from hallcall.device_kit.app import DeviceApp, device_client, run_device_app
from hallcall.device_kit.fonts import install_cjk_font
from hallcall.hardware.idcard import IdCardReader, card_hash, masked_name, open_idcard_reader
from hallcall.hardware.printer import open_printer
from hallcall.protocol.idnumber import HashKeyError, read_hash_key

from .model import CardSeen, KioskModel
from .printout import TicketPrinter
from .settings import KioskSettings
from .widgets import KioskWindow

log = logging.getLogger(__name__)

SUBSCRIPTIONS = ["state/catalog", "state/queue/+"]


class PrinterWorker(QObject):
    """Runs printer jobs one at a time on its own thread; results come back on the GUI thread."""

    _done = Signal(object)

    def __init__(self, printer: TicketPrinter):
        super().__init__()
        self.printer = printer
        self._jobs: queue.Queue = queue.Queue()
        self._done.connect(lambda fn: fn())
        self.busy = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kiosk-printer", daemon=True)
        self._thread.start()

    def submit(self, job: Callable[[], Any], then: Callable[[Any], None]) -> None:
        self._jobs.put((job, then))

    def pending(self) -> int:
        return self._jobs.qsize() + (1 if self.busy.is_set() else 0)

    def _run(self) -> None:
        while True:
            item = self._jobs.get()
            if item is None:
                return
            job, then = item
            self.busy.set()
            try:
                result = job()
            except Exception:
                log.exception("printer job failed")
                result = None
            finally:
                self.busy.clear()
            self._done.emit(lambda r=result, cb=then: cb(r))

    def stop(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=5)


class CardWorker(QObject):
    """Reads ID cards on its own thread (`read_card` blocks while it polls the reader) and hands
    each one to the GUI thread as a `CardSeen`: the masked name, the birth date and, with the
    hall's key, the number's keyed hash. The IdCard itself, with the full name and the number,
    never leaves this thread."""

    _card = Signal(object)
    _online = Signal(bool)

    def __init__(
        self,
        reader: IdCardReader,
        on_card,
        on_online,
        poll_s: float = 0.5,
        key: bytes | None = None,
    ):
        super().__init__()
        self.reader = reader
        self._key = key
        self.poll_s = poll_s
        self._card.connect(on_card)
        self._online.connect(on_online)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kiosk-idcard", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        online: bool | None = None
        while not self._stop.is_set():
            try:
                card = self.reader.read_card(self.poll_s)
                seen = (
                    CardSeen(
                        masked_name(card.name),
                        card.birth_date,
                        card_hash(card, self._key) if self._key else None,
                    )
                    if card
                    else None
                )
                del card
                now_online = bool(self.reader.online)
            except Exception:  # a driver bug must not stop the reader thread
                log.exception("id card reader failed")
                seen, now_online = None, False
                self._stop.wait(self.poll_s)
            if now_online != online:
                online = now_online
                self._online.emit(now_online)
            if seen is not None and not self._stop.is_set():
                log.info("id card read: %s", seen.masked_name)
                self._card.emit(seen)

    def stop(self) -> None:
        self._stop.set()
        try:
            self.reader.close()
        finally:
            self._thread.join(timeout=5)


class KioskApp(QObject):
    """One kiosk: `start()` connects and shows the window, `stop()` undoes everything."""

    def __init__(
        self,
        settings: KioskSettings,
        *,
        printer=None,
        idcard_reader: IdCardReader | None = None,
        now: Callable[[], float] | None = None,
        connect_grace_s: float = 5.0,
    ):
        super().__init__()
        self.settings = settings
        qt_app = QApplication.instance()
        self.font_family = (
            install_cjk_font(qt_app, settings.font) if isinstance(qt_app, QApplication) else None
        )
        escpos = printer if printer is not None else open_printer(settings.printer)
        font_path = settings.printer.font_path or settings.font
        self.printer = TicketPrinter(
            escpos,
            settings.printer.paper_width_px,
            font_path,
            allow_paper_low=settings.allow_paper_low,
            mode=settings.printer.print_mode(),
        )
        self.worker = PrinterWorker(self.printer)
        key = self._hash_key(settings)
        self.model = KioskModel(
            self,
            idle_return_s=settings.idle_return_s,
            result_return_s=settings.result_return_s,
            connect_grace_s=connect_grace_s,
            logo_path=settings.logo_path,
            default_lang=settings.language or "zh",
            now=now if now is not None else time.monotonic,
            idcard=idcard_reader is not None or settings.idcard is not None,
            green_channel_age=settings.green_channel_age,
            card_key=key is not None,
            card_wait_s=settings.card_wait_s,
        )
        reader = idcard_reader
        if reader is None and settings.idcard is not None:
            reader = open_idcard_reader(settings.idcard)
        self.card_worker = (
            CardWorker(reader, self.model.card_read, self.model.set_card_reader_online, key=key)
            if reader is not None
            else None
        )
        self.window = KioskWindow(self.model, settings.device)
        self.device = DeviceApp(
            device_client(settings, "kiosk", SUBSCRIPTIONS),
            self.model,
            screen=self.window,
            parent=self,
        )
        self.client = self.device.client
        self._poll = QTimer(self)
        self._poll.setInterval(int(settings.printer_poll_s * 1000))
        self._poll.timeout.connect(self.poll_printer)
        self.sent: list[tuple[str, str, dict]] = []  # what went out, for the log and tests
        self._stopped = False

    @staticmethod
    def _hash_key(settings: KioskSettings) -> bytes | None:
        """The hall's ID card hash key on this kiosk; unreadable: said in the log, and cards
        take tickets without checking appointments in."""
        if settings.idcard_key_file is None:
            return None
        try:
            return read_hash_key(settings.idcard_key_file)
        except HashKeyError as exc:
            log.error("%s: no ID card check-in at this kiosk", exc)
            return None

    # ------------------------------------------------------------------ lifecycle
    def start(self, show: bool = True) -> None:
        self.device.start()
        if self.card_worker is not None:
            self.card_worker.start()
        self._poll.start()
        self.poll_printer()
        if show:
            self.device.show(self.settings.fullscreen, self.settings.size)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._poll.stop()
        try:
            self.device.stop()
        finally:
            if self.card_worker is not None:
                self.card_worker.stop()
            self.worker.stop()
            self.printer.close()

    # ------------------------------------------------------------------ Effects (model -> world)
    def send(self, request_id: str, op: str, args: dict[str, Any]) -> None:
        shown = {k: ("<hidden>" if k == "id_hash" else v) for k, v in args.items()}
        log.info("%s %s %s", op, request_id, shown)
        self.sent.append((request_id, op, args))
        self.device.request(
            op,
            self.model.reply,
            timeout=self.settings.request_timeout_s,
            request_id=request_id,
            **args,
        )

    def check_printer(self, request_id: str) -> None:
        self.worker.submit(
            self.printer.status,
            lambda status: self.model.printer_checked(request_id, status or "offline"),
        )

    def print_ticket(self, request_id: str, ticket) -> None:
        def done(result) -> None:
            ok, status = result if result else (False, "offline")
            self.model.printed(request_id, ok, status)

        self.worker.submit(lambda: self.printer.print(ticket), done)

    def publish_health(self, health: dict[str, Any]) -> None:
        self.client.set_health(**health)

    def poll_printer(self) -> None:
        if self.worker.pending():
            return  # a ticket is printing: its own answer updates the status
        self.worker.submit(
            self.printer.status, lambda status: self.model.set_printer_status(status or "offline")
        )


def run_kiosk(settings: KioskSettings, argv: list[str] | None = None) -> int:
    """Run the kiosk until the window closes or the process gets SIGINT/SIGTERM."""
    app = QApplication.instance() or QApplication(argv or ["hallcall-kiosk"])
    kiosk = KioskApp(settings)
    if kiosk.font_family is None:
        log.warning("no CJK font: install fonts-wqy-microhei or set font_path in the device file")
    kiosk.start(show=False)
    return run_device_app(
        kiosk.device,
        fullscreen=settings.fullscreen,
        size=settings.size,
        qt_app=app,
        before_stop=kiosk.stop,
    )
