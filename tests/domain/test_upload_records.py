"""The records of 好差评 for the higher platform: what a rating's and a case outcome's record
carry, their stable keys, and what a platform's answer means. The delivery end to end (a real
broker killed -9, a receiver that fails) is tests/broker/test_upload.py."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from hallcall.broker.domain.upload import (
    case_outcome_record,
    matter_code,
    national_level,
    next_backoff,
    of_rating,
    rating_record,
    verdict,
)
from hallcall.config.loader import ConfigError, load_config, parse_config
from tests.domain.test_rectification import served_hall

GOVERNMENT = Path("config/src/hallcall/config/halls/example-government.toml")
GOV = load_config(GOVERNMENT)
#: 10:15 in Shanghai.
AT = datetime(2026, 11, 23, 2, 15, tzinfo=UTC)


def gov_with_upload(**upload) -> str:
    text = GOVERNMENT.read_text(encoding="utf-8")
    values = {"enabled": "true", "token_env": '"T"', **upload}
    block = "[upload]\n" + "".join(f"{k} = {v}\n" for k, v in values.items())
    start = text.index("[upload]")
    end = text.index("# 考核")
    return text[:start] + block + 'url = "https://p.example/r"\n\n' + text[end:]


def test_a_rating_record_carries_matter_code_window_clerk_time_and_national_level():
    r = rating_record(
        GOV,
        AT,
        "20261123-A007",
        "A007",
        "social-security",
        "pension-certificate",
        "w01",
        "s101",
        3,
        5,
        "pad",
        ("slow",),
    )
    assert r.record_id == "qingshui-county:rating:20261123-A007" and r.kind == "rating"
    assert r.payload == {
        "record_id": "qingshui-county:rating:20261123-A007",
        "kind": "rating",
        "hall_id": "qingshui-county",
        "time": "2026-11-23T10:15:00+08:00",
        "ticket_id": "20261123-A007",
        "ticket_number": "A007",
        "department": "social-security",
        "matter": "pension-certificate",
        "matter_code": "11510000MB1234567X4000112345000",
        "window": {"id": "w01", "number": 1},
        "clerk": "s101",
        "level": {
            "score": 3,
            "scale": 5,
            "label": "基本满意",
            "national": 3,
            "national_label": "基本满意",
            "national_label_en": "Basically satisfied",
        },
        "channel": "pad",
        "reasons": ["slow"],
    }


def test_a_three_level_hall_maps_onto_the_national_five():
    assert [national_level(s, 3) for s in (1, 2, 3)] == [2, 3, 4]
    assert [national_level(s, 5) for s in (1, 5)] == [1, 5]
    hall, t = served_hall()  # the university example: three levels, no codes
    recorded = hall.rate(datetime(2026, 11, 23, 1, 3, tzinfo=UTC), "pad-w01", t.id, 3, [])[0]
    r = of_rating(hall, recorded)  # type: ignore[arg-type]
    level = r.payload["level"]
    assert (level["label"], level["national"], level["national_label"]) == ("满意", 4, "满意")
    assert (r.payload["ticket_number"], r.payload["department"], r.payload["matter"]) == (
        t.number,
        "registrar",
        "transcript",
    )
    assert r.payload["matter_code"] is None and r.payload["channel"] == "pad"


def test_a_matter_without_code_or_a_ticket_without_matter_uses_the_default_code():
    cfg = parse_config(gov_with_upload(default_matter_code='"11510000MB1234567X4000100000000"'))
    assert matter_code(cfg, "social-security", "pension-claim") == (
        "11510000MB1234567X4000112346000"
    )
    assert matter_code(cfg, "social-security", None) == "11510000MB1234567X4000100000000"
    assert matter_code(cfg, "social-security", "no-such") == "11510000MB1234567X4000100000000"


def test_a_case_outcome_names_its_ratings_record_and_has_its_own_stable_key():
    args = (GOV, AT, 12)
    common = ("20261123-A007", "A007", "social-security", "pension-claim", "w01", "s101")
    closed = case_outcome_record(
        *args, "closed", *common, date(2026, 12, 14), date(2026, 12, 1), "增开窗口"
    )
    assert closed.record_id == "qingshui-county:case:12:closed"
    assert closed.payload["rating_record_id"] == "qingshui-county:rating:20261123-A007"
    assert closed.payload["closed_on_time"] is True and closed.payload["fix"] == "增开窗口"
    assert closed.payload["due_on"] == "2026-12-14"
    late = case_outcome_record(*args, "closed", *common, date(2026, 12, 14), date(2026, 12, 15))
    assert late.payload["closed_on_time"] is False
    upheld = case_outcome_record(
        *args, "appeal_upheld", *common, date(2026, 12, 14), reason="监控属实"
    )
    assert upheld.record_id == "qingshui-county:case:12:appeal_upheld"
    assert upheld.payload["reason"] == "监控属实" and "closed_on_time" not in upheld.payload
    assert upheld.payload["matter_code"] == "11510000MB1234567X4000112346000"


def test_what_a_platforms_answer_means():
    assert [verdict(s) for s in (200, 201, 204)] == ["accepted"] * 3
    assert [verdict(s) for s in (500, 502, 503, 429, 408)] == ["retry"] * 5
    assert [verdict(s) for s in (400, 401, 403, 404, 409, 422, 301)] == ["refused"] * 7


def test_retries_wait_doubling_up_to_the_hall_files_limit():
    waits, w = [], None
    for _ in range(8):
        w = next_backoff(w, 30)
        waits.append(w)
    assert waits == [1, 2, 4, 8, 16, 30, 30, 30]


# ---------------------------------------------------------------- the hall file's [upload]
def config_problems(text: str) -> str:
    with pytest.raises(ConfigError) as info:
        parse_config(text, "hall.toml")
    return " ".join(info.value.problems)


def test_upload_on_needs_a_url_and_one_token_source_and_never_a_clear_token():
    assert parse_config(gov_with_upload()).upload.enabled
    text = gov_with_upload().replace('url = "https://p.example/r"\n', "")
    assert "needs url" in config_problems(text)
    assert "one of token_file or token_env" in config_problems(
        gov_with_upload(token_file='"/etc/t"')
    )
    assert "one of token_file or token_env" in config_problems(
        gov_with_upload(token_env='"A"').replace('token_env = "A"\n', "")
    )
    assert "token" in config_problems(gov_with_upload(token='"s3cret"'))  # an unknown key
    assert "url" in config_problems(gov_with_upload().replace("https://p.example", "ftp://p"))


def test_upload_on_refuses_matters_without_a_code_unless_a_default_is_set():
    text = gov_with_upload().replace('code = "11510000MB7654321Y4000212346000"\n', "")
    found = config_problems(text)
    assert "no matter code" in found and "real-estate/title-search" in found
    assert parse_config(
        text.replace(
            "[upload]\n", '[upload]\ndefault_matter_code = "11510000MB7654321Y4000200000000"\n'
        )
    )
    # Off, a matter needs no code.
    assert not parse_config(text.replace("enabled = true", "enabled = false")).upload.enabled


def test_a_matter_code_is_capital_letters_and_digits():
    for bad in ("11510000mb1234567x4000112345000", "1151-0000", "SHORT", "A" * 51):
        text = GOVERNMENT.read_text(encoding="utf-8").replace(
            "11510000MB1234567X4000112345000", bad
        )
        assert "code" in config_problems(text), bad
