"""The rating pad's model without Qt or MQTT: when it asks, what it sends, timeouts, outages."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hallcall.device_kit.device_file import DeviceFileError
from hallcall.rating_pad.model import (
    DEFAULT_REASONS,
    TEXTS,
    Phase,
    RatingPadModel,
    key_to_score,
)
from hallcall.rating_pad.settings import load_pad_settings

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
EXAMPLE = Path(__file__).resolve().parents[2] / "rating_pad" / "examples" / "rating-pad.toml"


class Clock:
    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> datetime:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += timedelta(seconds=seconds)


def iso(dt: datetime) -> str:
    return dt.isoformat().replace("+00:00", "Z")


def catalog(
    scale: int = 3, timeout: int = 30, pads=(("pad-w01", "w01"), ("pad-w02", "w02"))
) -> dict:
    labels = {
        3: {"zh": ["不满意", "一般", "满意"], "en": ["Dissatisfied", "Average", "Satisfied"]},
        5: {"zh": list("12345"), "en": ["V bad", "Bad", "OK", "Good", "V good"]},
    }[scale]
    return {
        "seq": 1,
        "hall": {
            "rating_scale": scale,
            "rating_labels": labels,
            "rating_timeout_s": timeout,
            "languages": ["zh", "en"],
            "default_language": "zh",
        },
        "windows": [{"id": "w01", "number": 1}, {"id": "w02", "number": 2}],
        "devices": [{"kind": "rating", "id": i, "window": w} for i, w in pads]
        + [{"kind": "sign", "id": "s", "window": "w01"}],
    }


STAFF = {
    "id": "s101",
    "name": {"zh": "张敏", "en": "Zhang Min"},
    "post": "A",
    "contact": "027",
    "photo": None,
}


def window_state(window="w01", last=None, seq=5, staff=STAFF, status="open") -> dict:
    return {
        "seq": seq,
        "window": window,
        "number": int(window[1:]),
        "status": status,
        "staff": staff,
        "last_finished": last,
    }


def last_finished(ticket="t1", number="A001", finished_at=T0, rated=False) -> dict:
    return {
        "ticket_id": ticket,
        "number": number,
        "finished_at": iso(finished_at),
        "outcome": "done",
        "rated": rated,
    }


def requested(ticket="t1", number="A001", window="w01", scale=3, timeout=30) -> dict:
    return {
        "seq": 9,
        "type": "rating.requested",
        "window": window,
        "window_number": 1,
        "staff": "s101",
        "ticket_id": ticket,
        "number": number,
        "scale": scale,
        "timeout_s": timeout,
    }


@pytest.fixture
def clock():
    return Clock()


def pad(clock, online=True, **kw) -> RatingPadModel:
    ids = iter(f"req-{i}" for i in range(1, 100))
    m = RatingPadModel("pad-w01", clock, new_id=lambda: next(ids), **kw)
    m.set_connected(online)
    m.set_server_online(online)
    m.on_catalog(catalog())
    m.on_window_state(window_state())
    return m


def test_idle_until_its_window_finishes_a_ticket(clock):
    m = RatingPadModel("pad-w01", clock)
    assert m.phase is Phase.CONNECTING
    m.on_window_state(window_state())  # state before the catalog: kept for later
    m.on_catalog(catalog())
    assert (m.phase, m.window, m.window_number, m.clerk.name["zh"]) == (
        Phase.IDLE,
        "w01",
        1,
        "张敏",
    )
    m.on_event("rating.requested", requested(window="w02", ticket="other"))
    assert m.phase is Phase.IDLE and not m.prompt_active
    m.on_event("rating.requested", requested())
    assert m.phase is Phase.ASKING and m.prompt_active
    assert (m.question.ticket_id, m.question.number, m.question.clerk.id) == ("t1", "A001", "s101")
    assert m.level_labels() == ["不满意", "一般", "满意"]
    assert m.remaining_s() == 30


def test_a_pad_not_in_the_catalog_says_so(clock):
    m = RatingPadModel("pad-w09", clock)
    m.on_catalog(catalog())
    assert m.phase is Phase.UNCONFIGURED
    m.on_event("rating.requested", requested())
    assert m.phase is Phase.UNCONFIGURED
    assert "pad-w09" in m.t("unconfigured", pad=m.pad_id)


def test_retained_state_asks_after_a_reboot_but_not_hours_later(clock):
    m = RatingPadModel("pad-w01", clock)
    m.on_catalog(catalog())
    clock.advance(12)  # the pad rebooted 12 s after the finish: it still asks, 18 s left
    m.on_window_state(window_state(last=last_finished()))
    assert m.phase is Phase.ASKING and m.remaining_s() == 18
    late = RatingPadModel("pad-w01", clock)
    late.on_catalog(catalog())
    clock.advance(3 * 3600)
    late.on_window_state(window_state(last=last_finished()))
    assert late.phase is Phase.IDLE
    rated = RatingPadModel("pad-w01", clock)
    rated.on_catalog(catalog())
    rated.on_window_state(window_state(last=last_finished(finished_at=clock.t, rated=True)))
    assert rated.phase is Phase.IDLE


def test_the_live_event_keeps_the_brokers_finish_time(clock):
    m = pad(clock)
    m.on_window_state(window_state(last=last_finished(finished_at=clock.t), seq=6))
    assert m.phase is Phase.ASKING and not m.question.live
    clock.advance(20)  # the event is late to arrive: its `at` still counts, not its arrival
    m.on_event("rating.requested", {**requested(), "at": iso(T0)})
    assert m.question.live and m.remaining_s() == 10
    skewed = pad(clock)  # a pad whose clock runs an hour ahead still asks on a live event
    skewed.on_event(
        "rating.requested", {**requested(ticket="t9"), "at": iso(clock.t - timedelta(hours=1))}
    )
    assert skewed.phase is Phase.ASKING and skewed.remaining_s() == 30


def test_timeout_returns_to_idle_and_sends_nothing(clock):
    m = pad(clock)
    m.on_event("rating.requested", requested())
    clock.advance(29.5)
    m.tick()
    assert m.phase is Phase.ASKING and m.remaining_s() == 1
    clock.advance(0.5)
    m.tick()
    assert m.phase is Phase.IDLE
    assert m.take_outbox() == [] and not m.pending
    assert [(o.ticket_id, o.result) for o in m.outcomes] == [("t1", "not_rated")]
    m.on_window_state(window_state(last=last_finished(), seq=6))  # the same ticket again: not asked
    m.on_event("rating.requested", requested())
    assert m.phase is Phase.IDLE
    assert not m.choose(3)  # nothing asked: a tap does nothing


def test_a_score_is_sent_once_and_thanked(clock):
    m = pad(clock)
    m.on_event("rating.requested", requested())
    assert not m.choose(4)  # off the three-level scale
    assert m.choose(3)
    assert m.phase is Phase.SENDING and not m.prompt_active
    [sub] = m.take_outbox()
    assert (sub.request_id, sub.command()) == (
        "req-1",
        {"ticket_id": "t1", "score": 3, "reasons": []},
    )
    assert not m.choose(3)
    assert m.on_reply({"request_id": "someone-else", "ok": True}) is False
    assert m.on_reply({"request_id": "req-1", "ok": True, "data": {"recorded": True}})
    assert m.phase is Phase.THANKS and m.recorded_count == 1 and not m.queued
    m.on_event("rating.recorded", {"window": "w01", "ticket_id": "t1"})
    m.on_window_state(window_state(last=last_finished(rated=True), seq=7))
    clock.advance(4)
    m.tick()
    assert m.phase is Phase.IDLE and m.take_outbox() == []


def test_low_score_asks_for_reasons_and_sends_them(clock):
    m = pad(clock)
    m.on_event("rating.requested", requested())
    m.choose(1)
    assert m.phase is Phase.FOLLOW_UP and m.take_outbox() == []
    m.toggle_reason("waited_long")
    m.toggle_reason("attitude")
    m.toggle_reason("waited_long")
    m.toggle_reason("no-such-reason")
    m.toggle_reason("unclear")
    m.confirm_reasons()
    [sub] = m.take_outbox()
    assert sub.command() == {"ticket_id": "t1", "score": 1, "reasons": ["attitude", "unclear"]}
    assert all(len(r.code) <= 40 for r in DEFAULT_REASONS) and len(DEFAULT_REASONS) <= 8


def test_reasons_time_out_but_the_score_still_counts(clock):
    m = pad(clock)
    m.on_event("rating.requested", requested())
    m.choose(1)
    m.toggle_reason("not_solved")
    clock.advance(20)
    m.tick()
    [sub] = m.take_outbox()
    assert sub.command() == {"ticket_id": "t1", "score": 1, "reasons": ["not_solved"]}


def test_skip_and_no_follow_up(clock):
    m = pad(clock)
    m.on_event("rating.requested", requested())
    m.choose(1)
    m.skip_reasons()
    assert m.take_outbox()[0].command()["reasons"] == []
    keys_only = pad(clock, follow_up_on=[])
    keys_only.on_event("rating.requested", requested(ticket="t2"))
    keys_only.choose(1)
    assert keys_only.phase is Phase.SENDING
    physical = pad(clock)
    physical.on_event("rating.requested", requested(ticket="t3"))
    physical.choose(1, follow_up=False)
    assert physical.phase is Phase.SENDING


def test_five_levels(clock):
    m = pad(clock)
    m.on_catalog(catalog(scale=5))
    m.on_event("rating.requested", requested(scale=5))
    assert m.level_labels() == list("12345") and m.level_labels("en")[-1] == "V good"
    assert m.follow_up_scores == {1, 2}
    m.choose(2)
    assert m.phase is Phase.FOLLOW_UP
    assert [key_to_score(k, 3, 5) for k in (1, 2, 3)] == [2, 3, 4]
    assert [key_to_score(k, 5, 3) for k in (1, 2, 3, 4, 5)] == [1, 1, 2, 3, 3]
    assert [key_to_score(k, 3, 3) for k in (1, 2, 3)] == [1, 2, 3]


def test_broker_down_keeps_the_rating_until_its_reply(clock):
    m = pad(clock)
    m.on_event("rating.requested", requested())
    m.set_server_online(False)
    assert m.phase is Phase.ASKING and not m.available  # the visitor may still answer
    m.choose(3)
    assert m.phase is Phase.THANKS and m.queued
    [sub] = m.take_outbox()  # handed to the device kit once: it re-sends until answered
    assert sub.request_id == "req-1"
    clock.advance(5)
    m.tick()
    assert m.phase is Phase.IDLE and len(m.pending) == 1  # kept, shown in the footer
    m.set_server_online(True)
    clock.advance(10)
    m.tick()
    assert m.take_outbox() == []  # re-sending is the kit's, not a second command
    m.on_reply({"request_id": "req-1", "ok": True})
    assert not m.pending and m.recorded_count == 1
    m.on_reply({"request_id": "req-1", "ok": True})  # the duplicate answer changes nothing
    assert m.recorded_count == 1


def test_no_reply_in_time_thanks_and_keeps_trying(clock):
    m = pad(clock)
    m.on_event("rating.requested", requested())
    m.choose(2)
    m.take_outbox()
    clock.advance(5)
    m.tick()
    assert m.phase is Phase.THANKS and m.queued and len(m.pending) == 1


def test_a_refused_rating_is_shown_not_hidden(clock):
    m = pad(clock)
    m.on_event("rating.requested", requested())
    m.choose(3)
    m.on_reply(
        {
            "request_id": "req-1",
            "ok": False,
            "error": {"code": "conflict", "message": "already rated"},
        }
    )
    assert m.phase is Phase.NOTICE and m.error == "conflict"
    assert m.error_text() == TEXTS["err_conflict"]["zh"]
    assert m.outcomes[-1].result == "refused"
    clock.advance(6)
    m.tick()
    assert m.phase is Phase.IDLE


def test_a_newer_finish_replaces_the_question_and_rated_elsewhere_ends_it(clock):
    m = pad(clock)
    m.on_event("rating.requested", requested())
    m.on_event("rating.requested", requested(ticket="t2", number="A002"))
    assert m.question.ticket_id == "t2" and m.outcomes[-1].result == "superseded"
    m.on_event("rating.requested", requested())  # the old one cannot come back
    assert m.question.ticket_id == "t2"
    m.on_event("rating.recorded", {"window": "w01", "ticket_id": "t2"})
    assert m.phase is Phase.IDLE


def test_three_keys_on_a_five_level_hall_keep_their_meaning():
    from hallcall.hardware.rating_pad import FakeRatingPad
    from hallcall.rating_pad.physical import PhysicalPad

    posted: list[int] = []
    model = RatingPadModel("pad-w01", Clock(), new_id=lambda: "r1")
    model.set_connected(True)
    model.set_server_online(True)
    model.on_catalog(catalog(scale=5))
    fake = FakeRatingPad(3)
    link = PhysicalPad(fake, posted.append)
    link.sync(model)
    fake.press(3)  # idle: the port's prompt rule drops it
    assert posted == []
    model.on_event("rating.requested", requested(scale=5))
    link.sync(model)
    assert fake.prompts == [True]
    fake.press(3)
    assert posted == [3] and fake.prompts == [True, False]
    assert link.press(model, posted[0], follow_up=False)
    assert model.take_outbox()[0].score == 4  # "satisfied" on five levels
    model.on_reply({"request_id": "r1", "ok": True})
    link.sync(model)
    assert fake.thanks == 1


def test_languages(clock):
    m = pad(clock, language="en")
    assert m.lang == "en" and m.t("window", n=1) == "Window 1"
    assert m.next_language() == "zh"
    m.set_language("zh")
    assert m.t("window", n=1) == "1号窗口"
    m.set_language("fr")
    assert m.lang == "zh"
    assert all(set(v) == {"zh", "en"} for v in TEXTS.values())


def test_example_device_file_loads(tmp_path):
    s = load_pad_settings(EXAMPLE)
    assert (s.hall, s.device, s.show_ui, s.keys, s.size) == (
        "campus-hall",
        "pad-w01",
        True,
        None,
        (800, 480),
    )
    bad = tmp_path / "bad.toml"
    bad.write_text('hall = "campus-hall"\npad = "Pad 1"\ncolour = "red"\n[keys]\nkind = "serial"\n')
    with pytest.raises(DeviceFileError) as err:
        load_pad_settings(bad)
    text = str(err.value)
    assert "device" in text and "colour" in text and "port" in text
    gpio = tmp_path / "gpio.toml"
    gpio.write_text(
        'hall = "h"\npad = "p"\nshow_ui = false\nfollow_up_on = [2, 1, 1]\nphoto_dir = "photos"\n'
        '[keys]\nkind = "gpio"\nbutton_pins = [17, 27, 22]\nled_pins = [5]\n'
    )
    g = load_pad_settings(gpio)  # `pad` is the older name of `device`: still read
    assert g.keys.kind == "gpio" and g.follow_up_on == [1, 2] and g.photo_dir == tmp_path / "photos"


def test_model_and_physical_link_do_not_import_qt():
    import subprocess

    code = (
        "import sys, hallcall.rating_pad.model, hallcall.rating_pad.physical, hallcall.rating_pad.settings;"
        "sys.exit(1 if any(m.startswith(('PySide6', 'paho')) for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_cli_registers_the_rating_pad(capsys):
    from hallcall.cli import main

    assert main(["rating-pad", "--device", str(EXAMPLE), "--check"]) == 0
    assert "pad-w01" in capsys.readouterr().out
