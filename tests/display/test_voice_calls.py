"""Spoken calls from the lobby display: real pyttsx3/espeak-ng audio for calls from a real broker.

The RecordingPlayer plays at 50x speed (each clip still takes time), so overlapping playback
would show in its start/end times; the joined recording is saved as build/audio/.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from hallcall.display.settings import VoiceSettings
from hallcall.display.voice_caller import VoiceCaller
from hallcall.hardware.voice import FakeVoice, Outcome, Pyttsx3Voice, RecordingPlayer
from hallcall.hardware.voice.wavfile import rms
from tests.display.halls import ok
from tests.support.mqtt import wait_for

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
pump = QApplication.processEvents
AUDIO = Path(__file__).resolve().parents[2] / "build" / "audio"
WINDOWS = {"w01": "s101", "w02": "s103", "w03": "s201", "w04": "s202"}


def open_windows(device):
    kiosk = device("kiosk", "kiosk-1")
    for dep in ("registrar", "registrar", "finance", "finance"):
        ok(kiosk.request("ticket.issue", department=dep))
    windows = {w: device("window", w) for w in WINDOWS}
    for w, staff in WINDOWS.items():
        ok(windows[w].request("window.login", staff=staff, post="A", pin="2468"))
    return windows


@pytest.fixture
def engine_voice():
    voice = Pyttsx3Voice()
    yield voice
    voice.close()


def test_a_burst_of_calls_is_spoken_in_order_once_each_without_overlap(
    queue_broker, device, make_display, clock, engine_voice, tmp_path
):
    queue_broker()
    windows = open_windows(device)
    player = RecordingPlayer(speed=50)
    results = []
    caller = VoiceCaller(
        VoiceSettings(languages=["zh", "en"], repeat=2, max_age_s=60),
        engine_voice,
        player,
        now=clock.now,
        on_finished=results.append,
        workdir=str(tmp_path / "voice"),
    )
    display = make_display("landscape", voice=caller, flash_s=1)
    wait_for(
        lambda: (
            display.model.snapshot().online
            and display.model.calls == ()
            and len(display.model.snapshot().windows) == 8
        ),
        timeout=15,
        what="the display",
        pump=pump,
    )
    # four clerks press "next" at once, one recalls
    called = [ok(windows[w].request("call.next"))["ticket"] for w in WINDOWS]
    ok(windows["w02"].request("call.recall"))
    wait_for(lambda: len(results) == 5, timeout=60, what="five announcements", pump=pump)
    expected = [(t["number"], t["window_number"]) for t in called] + [(called[1]["number"], 2)]
    assert [(r.announcement.number, r.announcement.window_number) for r in results] == expected
    assert all(r.outcome is Outcome.SPOKEN for r in results)

    # chime, Chinese, English; twice; call after call
    labels = [
        f"{n} {part} #{k}" for n, _ in expected for k in (1, 2) for part in ("chime", "zh", "en")
    ]
    assert player.labels == labels
    assert player.max_concurrent == 1
    for before, after in zip(player.clips, player.clips[1:]):
        assert after.started >= before.ended  # never two at once
    for clip in player.clips:
        assert clip.info.rate == 22050 and clip.info.channels == 1
        assert rms(clip.frames) > 300, f"{clip.label} is silent"
        low, high = (0.8, 1.6) if "chime" in clip.label else (1.0, 8.0)
        assert low < clip.duration_s < high, (clip.label, clip.duration_s)
    zh = [c for c in player.clips if " zh " in c.label]
    en = [c for c in player.clips if " en " in c.label]
    assert len(zh) == len(en) == 10
    AUDIO.mkdir(parents=True, exist_ok=True)
    spans = player.write(AUDIO / "display-burst.wav")
    assert spans[-1][2] > 40  # five calls, each said twice, take well over 40 s of audio
    assert engine_voice.voice_used["zh"].endswith("cmn-latn-pinyin")


def test_restarted_display_does_not_call_again_and_stale_calls_are_dropped(
    queue_broker, device, make_display, clock, tmp_path
):
    queue_broker()
    windows = open_windows(device)
    for w in ("w01", "w03"):
        ok(windows[w].request("call.next"))
    voice, player, results = FakeVoice(), RecordingPlayer(), []
    caller = VoiceCaller(
        VoiceSettings(),
        voice,
        player,
        now=clock.now,
        on_finished=results.append,
        workdir=str(tmp_path / "v1"),
    )
    display = make_display("landscape", voice=caller, flash_s=0)
    wait_for(
        lambda: len(display.model.calls) == 2 and display.model.snapshot().online,
        timeout=15,
        what="the calls of the morning",
        pump=pump,
    )
    assert caller.queued == 0 and voice.calls == []  # a reboot does not call the morning again

    # a display that hears a call two minutes late drops it instead of sending people late
    late = VoiceCaller(
        VoiceSettings(max_age_s=60),
        FakeVoice(),
        RecordingPlayer(),
        now=lambda: clock.now() + timedelta(seconds=120),
        on_finished=results.append,
        workdir=str(tmp_path / "v2"),
    )
    stale = make_display("portrait", voice=late, flash_s=0)
    wait_for(lambda: len(stale.model.calls) == 2, timeout=15, what="the second display", pump=pump)
    ok(windows["w02"].request("call.next"))
    wait_for(lambda: len(results) == 2, timeout=15, what="both displays' verdicts", pump=pump)
    outcome = {r.outcome for r in results}
    assert outcome == {Outcome.SPOKEN, Outcome.DROPPED}
    assert late.player.clips == [] and len(player.clips) == 2 * 3
    assert voice.texts[0] == "请 A 零零二 号到 2 号窗口办理"


def test_voice_only_app_without_a_screen(
    queue_broker, device, hall_config, mqtt_settings, clock, tmp_path
):
    from hallcall.display.settings import DisplaySettings
    from hallcall.display.voice_app import VoiceApp
    from hallcall.mqtt.settings import MqttSection as MqttConfig

    queue_broker()
    windows = open_windows(device)
    ok(windows["w01"].request("call.next"))
    voice, player, results = FakeVoice(), RecordingPlayer(), []
    settings = DisplaySettings(
        hall=hall_config.hall.id,
        device="lobby",
        mqtt=MqttConfig(host=mqtt_settings.host, port=mqtt_settings.port),
        voice={"languages": ["zh"], "repeat": 1},
    )
    caller = VoiceCaller(
        settings.voice,
        voice,
        player,
        now=clock.now,
        on_finished=results.append,
        workdir=str(tmp_path / "v"),
    )
    app = VoiceApp(settings, caller)
    app.start()
    try:
        wait_for(lambda: len(app.model.calls) == 1, timeout=10, what="the retained calls")
        ok(windows["w03"].request("call.next"))
        ok(windows["w03"].request("call.recall"))
        wait_for(lambda: len(results) == 2, timeout=10, what="two announcements")
        assert (
            voice.texts == ["请 B 零零一 号到 3 号窗口办理"] * 2
        )  # the call and the recall, not A001
        assert player.labels == ["B001 chime #1", "B001 zh #1"] * 2
    finally:
        app.stop()
