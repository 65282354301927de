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
