"""Which ways of telling a visitor the hall offers (`hallcall web --notify notify.toml`).

Kept beside the web part, not in the hall file: the file holds the gateways' credentials, and
the hall file is shared more widely. No file, or no channel in it: the phone page offers no
contact form. Each channel is an apprise URL with `{address}` where the visitor's number or
address goes (https://github.com/caronc/apprise/wiki), e.g.

    retention_h = 24                 # contacts are deleted this long after their ticket ends
    alarm_urls = ["wecombot://KEY"]  # where the dashboard's alarms go (WeCom, DingTalk, mail..)
    [channels.sms]
    url = "json://sms-gateway.hall.local/send?:to={address}"
    label = { zh = "手机短信", en = "SMS" }
    pattern = "^1[3-9][0-9]{9}$"
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Channel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=3, max_length=900)
    label: dict[str, str]
    #: What a valid address looks like (checked before anything is stored).
    pattern: str = r"^\S{3,120}$"

    @field_validator("url")
    @classmethod
    def _has_address(cls, url: str) -> str:
        if "{address}" not in url:
            raise ValueError("the channel's url must have an {address} placeholder")
        return url

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        re.compile(pattern)
        return pattern


class NotifySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channels: dict[str, Channel] = {}
    retention_h: float = Field(default=24, ge=0, le=24 * 90)
    #: Attempts per notification, the first pause and the longest pause between them.
    attempts: int = Field(default=6, ge=1, le=50)
    first_retry_s: float = Field(default=5, gt=0, le=3600)
    max_retry_s: float = Field(default=600, gt=0, le=86400)
    alarm_urls: list[str] = []


def load_notify(path: str | Path) -> NotifySettings:
    return NotifySettings.model_validate(tomllib.loads(Path(path).read_text(encoding="utf-8")))
