"""The one reading of the contract's localized texts and times that every device app uses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hallcall.device_kit.i18n import localized, parse_time


def test_a_text_in_the_asked_language_else_any_language_it_has():
    assert localized({"zh": "教务处", "en": "Registrar"}, "en") == "Registrar"
    assert localized({"zh": "只有中文"}, "en") == "只有中文"
    assert localized({"en": "English only", "zh": ""}, "zh") == "English only"
    assert localized({"fr": "Accueil"}, "zh") == "Accueil"
    assert localized("plain", "en") == "plain"
    assert [localized(v, "zh") for v in (None, 3, [], {"zh": 1})] == ["", "", "", ""]


def test_times_of_the_contract_are_aware_and_bad_ones_are_none():
    assert parse_time("2026-12-03T01:02:03Z") == datetime(2026, 12, 3, 1, 2, 3, tzinfo=UTC)
    assert parse_time("2026-12-03T09:02:03+08:00") == datetime(
        2026, 12, 3, 9, 2, 3, tzinfo=timezone(timedelta(hours=8))
    )
    assert parse_time("2026-12-03T01:02:03").tzinfo is UTC  # no offset: UTC, as the broker writes
    assert [parse_time(v) for v in ("yesterday", "", None, 17)] == [None, None, None, None]


def test_a_table_falls_back_to_the_other_language_then_the_key():
    from hallcall.device_kit.i18n import TextTable

    table = TextTable({"zh": {"hi": "你好 {name}", "only_zh": "仅中文"}, "en": {"hi": "Hi {name}"}})
    assert table("en", "hi", name="Li") == "Hi Li" and table("zh", "hi", name="李") == "你好 李"
    assert table("en", "only_zh") == "仅中文" and table("en", "nowhere") == "nowhere"
    assert table("en", "hi") == "Hi {name}"  # a placeholder not given: shown as written
    assert table.missing() == {"en": ["only_zh"]}
    assert TextTable.by_key({"k": {"zh": "中", "en": "en"}})("en", "k") == "en"


def test_every_device_apps_wording_has_every_key_in_both_languages():
    from hallcall.display.model import WORDING as lobby
    from hallcall.kiosk.strings import text as kiosk
    from hallcall.rating_pad.model import WORDING as pad
    from hallcall.window_terminal.texts import t as terminal

    for table in (kiosk, terminal, lobby, pad):
        assert table.missing() == {}
        assert set(table.by_language) == {"zh", "en"}
