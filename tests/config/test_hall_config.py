"""The hall file: the example is valid, and every mistake is reported with its key."""

import pytest

from hallcall.config.loader import EXAMPLE_HALL, ConfigError, load_config, parse_config

MINIMAL = """
[hall]
id = "test-hall"
name = { zh = "测试大厅", en = "Test hall" }

[[departments]]
id = "reg"
name = { zh = "教务", en = "Registrar" }
prefix = "A"

[[windows]]
id = "w1"
number = 1
departments = ["reg"]
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_config(text, "hall.toml")
    assert str(info.value).startswith("hall.toml:")
    return info.value.problems


def test_the_example_hall_is_valid_and_bilingual():
    cfg = load_config(EXAMPLE_HALL)
    assert cfg.hall.languages == ["zh", "en"]
    assert len(cfg.departments) >= 4 and len(cfg.windows) >= 6
    assert any(w.flex for w in cfg.windows)
    assert {s.post for s in cfg.staff} == {"A", "B"}
    assert {m.kind for d in cfg.departments for m in d.matters} == {"immediate", "time_limited"}
    for d in cfg.departments:
        assert d.name.zh and d.name.en


def test_a_minimal_hall_gets_sensible_defaults():
    cfg = parse_config(MINIMAL)
    assert (cfg.hall.recall_limit, cfg.hall.rating_scale, cfg.hall.timezone) == (
        2,
        3,
        "Asia/Shanghai",
    )
    assert cfg.departments[0].number_width == 3
    assert cfg.assessment.bad_rating_count == 5


def test_toml_syntax_errors_give_the_line():
    [msg] = problems(MINIMAL + "\n[[windows]\n")
    assert "not valid TOML" in msg and "line" in msg


def test_unknown_keys_are_errors_not_silently_ignored():
    [msg] = problems(MINIMAL.replace('prefix = "A"', 'prefix = "A"\nprefx = "B"'))
    assert msg.startswith("departments[0].prefx:")


def test_bad_values_name_their_key():
    msgs = problems(
        MINIMAL.replace('prefix = "A"', 'prefix = "a1"').replace("number = 1", "number = 0")
    )
    assert any(m.startswith("departments[0].prefix:") for m in msgs)
    assert any(m.startswith("windows[0].number:") for m in msgs)


def test_cross_references_are_checked():
    text = (
        MINIMAL.replace('departments = ["reg"]', 'departments = ["nope"]')
        + """
[[staff]]
id = "s1"
name = { zh = "张三", en = "Zhang San" }
department = "ghost"

[[devices]]
kind = "rating"
id = "pad-1"
window = "w9"
"""
    )
    [msg] = problems(text)
    assert "window 'w1' serves unknown department 'nope'" in msg
    assert "staff 's1' belongs to unknown department 'ghost'" in msg
    assert "rating device 'pad-1' belongs to unknown window 'w9'" in msg


def test_every_visitor_facing_text_needs_each_hall_language():
    [msg] = problems(
        MINIMAL.replace('name = { zh = "教务", en = "Registrar" }', 'name = { zh = "教务" }')
    )
    assert "department 'reg' name has no en text" in msg
    # A Chinese-only hall needs no English.
    zh_only = MINIMAL.replace("[hall]\n", '[hall]\nlanguages = ["zh"]\n').replace(
        ', en = "Registrar"', ""
    )
    assert parse_config(zh_only).departments[0].name.get("en") == "教务"


def test_duplicate_ids_prefixes_and_window_numbers():
    text = (
        MINIMAL
        + """
[[departments]]
id = "reg"
name = { zh = "财务", en = "Finance" }
prefix = "A"

[[windows]]
id = "w2"
number = 1
departments = ["reg"]
"""
    )
    [msg] = problems(text)
    assert "department id 'reg' is used twice" in msg
    assert "ticket prefix 'A' is used by two departments" in msg
    assert "window number 1 is shown on two windows" in msg


def test_other_rules():
    assert "time_limited matter needs promised_days" in " ".join(
        problems(
            MINIMAL
            + """
[[departments.matters]]
id = "m"
name = { zh = "事项", en = "Matter" }
kind = "time_limited"
"""
        )
    )
    assert any(
        "unknown time zone" in m
        for m in problems(MINIMAL.replace("[hall]\n", '[hall]\ntimezone = "Mars/Olympus"\n'))
    )
    assert any(
        "number_end" in m
        for m in problems(
            MINIMAL.replace('prefix = "A"', 'prefix = "A"\nnumber_start = 50\nnumber_end = 10')
        )
    )


def test_missing_file_and_non_utf8(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "none.toml")
    bad = tmp_path / "gbk.toml"
    bad.write_bytes("名称".encode("gbk"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(bad)


def test_the_published_json_schema_is_current(capsys):
    from pathlib import Path

    from hallcall.cli import main

    assert main(["config", "schema"]) == 0
    published = Path(__file__).resolve().parents[2] / "docs" / "hall-config.schema.json"
    assert capsys.readouterr().out == published.read_text(encoding="utf-8"), (
        "docs/hall-config.schema.json is stale: run `hallcall config schema > docs/hall-config.schema.json`"
    )


def test_hall_voice_settings_are_checked():
    cfg = parse_config(MINIMAL)
    assert cfg.hall.voice_languages == ["zh", "en"] and cfg.hall.voice.repeat == 2
    msgs = problems(
        MINIMAL.replace("[hall]\n", '[hall]\nlanguages = ["zh"]\nvoice = { languages = ["en"] }\n')
    )
    assert any("voice.languages" in m for m in msgs)
    msgs = problems(MINIMAL + '\n[hall.voice]\ntemplates = { zh = "请到 {window} 号窗口" }\n')
    assert any("{number}" in m for m in msgs)
