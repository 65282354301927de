"""Sending one notification: a port, apprise behind it, and a fake that records."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


class Sender:
    """Blocking; True when the service took it. Called on a worker thread, never the loop."""

    def send(self, url: str, title: str, body: str) -> bool:
        raise NotImplementedError


class AppriseSender(Sender):
    """apprise: SMS gateways, e-mail, WeCom/DingTalk/Feishu bots and 100 more by URL."""

    def send(self, url: str, title: str, body: str) -> bool:
        import apprise

        notifier = apprise.Apprise()
        if not notifier.add(url):
            log.warning("not an apprise URL this apprise knows (scheme %s)", url.split(":", 1)[0])
            return False
        return bool(notifier.notify(body=body, title=title))


class RecordingSender(Sender):
    """The fake: keeps what would go out; `fail` sends nothing and answers False that often."""

    def __init__(self, fail: int = 0) -> None:
        self.sent: list[tuple[str, str, str]] = []
        self.fail = fail

    def send(self, url: str, title: str, body: str) -> bool:
        if self.fail > 0:
            self.fail -= 1
            return False
        self.sent.append((url, title, body))
        return True
