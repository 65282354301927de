"""The government hall example: the national 好差评 scale and the hall's working days."""

from datetime import date
from pathlib import Path

import pytest

from hallcall.config.loader import ConfigError, load_config, parse_config
from tests.config.test_hall_config import MINIMAL

GOVERNMENT = Path("config/src/hallcall/config/halls/example-government.toml")


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_config(text, "hall.toml")
    return info.value.problems


def test_the_government_example_uses_the_national_scale_and_chinese_first():
    cfg = load_config(GOVERNMENT)
    assert (cfg.hall.rating_scale, cfg.hall.rating_label_set) == (5, "national")
    assert cfg.hall.default_language == "zh" and cfg.hall.languages[0] == "zh"
    assert cfg.working_days.calendar == "china"
    assert cfg.working_days.closed_days == [date(2026, 12, 31)]
    assert cfg.working_days.extra_working_days == [date(2026, 12, 26)]
    assert all(d.kind != "rating" or d.window for d in cfg.devices)


def test_defaults_keep_todays_labels_and_count_chinas_working_days():
    cfg = parse_config(MINIMAL)
    assert cfg.hall.rating_label_set == "default"
    assert cfg.working_days.calendar == "china"
    assert cfg.working_days.closed_days == [] == cfg.working_days.extra_working_days


def test_national_labels_need_five_levels():
    text = MINIMAL.replace(
        'name = { zh = "测试大厅", en = "Test hall" }',
        'name = { zh = "测试大厅", en = "Test hall" }\nrating_label_set = "national"',
        1,
    )
    [msg] = problems(text)
    assert "rating_scale = 5" in msg
    ok = parse_config(
        text.replace(
            'rating_label_set = "national"', 'rating_label_set = "national"\nrating_scale = 5'
        )
    )
    assert ok.hall.rating_label_set == "national"
    [msg] = problems(text.replace('"national"', '"gov"'))
    assert msg.startswith("hall.rating_label_set:")


def test_working_days_are_checked():
    good = parse_config(
        MINIMAL
        + '\n[working_days]\ncalendar = "weekdays"\nclosed_days = [2026-05-06, "2026-05-07"]\n'
    )
    assert good.working_days.closed_days == [date(2026, 5, 6), date(2026, 5, 7)]
    [msg] = problems(
        MINIMAL
        + "\n[working_days]\nclosed_days = [2026-05-06]\nextra_working_days = [2026-05-06]\n"
    )
    assert "2026-05-06" in msg
    [msg] = problems(MINIMAL + '\n[working_days]\ncalendar = "japan"\n')
    assert msg.startswith("working_days.calendar:")
    [msg] = problems(MINIMAL + '\n[working_days]\nclosed_days = ["2026-02-30"]\n')
    assert msg.startswith("working_days.closed_days")


def test_rectification_deadlines_and_the_default_rating():
    cfg = load_config(GOVERNMENT)
    r = cfg.rectification
    assert (r.deadline_working_days, r.default_rating_after_days, r.default_level) == (15, 7, 3)
    r = parse_config(MINIMAL).rectification
    assert (r.deadline_working_days, r.default_rating_after_days, r.default_level) == (
        10,
        None,
        None,
    )
    [msg] = problems(MINIMAL + "\n[rectification]\ndefault_rating_after_days = 7\n")
    assert "set together" in msg
    [msg] = problems(
        MINIMAL + "\n[rectification]\ndefault_rating_after_days = 7\ndefault_level = 5\n"
    )
    assert "default_level 5 is above rating_scale 3" in msg
    [msg] = problems(MINIMAL + "\n[rectification]\ndeadline_working_days = 0\n")
    assert msg.startswith("rectification.deadline_working_days")
