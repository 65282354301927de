"""Voice announcements with the real engine (pyttsx3 + espeak-ng), real WAV files, real threads."""

from __future__ import annotations

import itertools
import logging
import os
import shutil
import signal
import subprocess
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hallcall.hardware.voice import (
    Announcer,
    AplayPlayer,
    FakeVoice,
    Outcome,
    Pyttsx3Voice,
    RecordingPlayer,
    Voice,
    VoiceError,
    speech_text,
    spell_number,
    write_chime,
)
from hallcall.hardware.voice.voices import pick_voice
from hallcall.hardware.voice.wavfile import read_frames, rms, wav_info

AUDIO = Path("build/audio")


@pytest.fixture(scope="module")
def audio_dir():
    AUDIO.mkdir(parents=True, exist_ok=True)
    return AUDIO


@pytest.fixture(scope="module")
def voice():
    v = Pyttsx3Voice()
    yield v
    v.close()


# --- what is said -------------------------------------------------------------------------


def test_a012_is_read_digit_by_digit_in_both_languages():
    assert speech_text("A012", 3, "zh") == "请 A 零一二 号到 3 号窗口办理"
    assert speech_text("A012", 3, "en") == "Number A, zero, one, two, please go to window 3"


def test_number_spelling_handles_case_separators_and_letters_after_digits():
    assert spell_number("b-107", "zh") == "B 一零七"
    assert spell_number("12C3", "zh") == "一二 C 三"
    assert spell_number("a0", "en") == "A, zero"
    with pytest.raises(ValueError):
        spell_number("--", "zh")
    with pytest.raises(ValueError):
        spell_number("A012", "fr")


def test_templates_can_be_overridden_per_hall():
    templates = {"zh": "{number}号请到{window}号窗口", "en": "Ticket {number} to desk {window}"}
    assert speech_text("A012", 12, "zh", templates) == "A 零一二号请到12号窗口"
    assert speech_text("A012", 12, "en", templates) == "Ticket A, zero, one, two to desk 12"
    # a template set without one language falls back to the default for it
    assert speech_text("A012", 3, "en", {"zh": "{number}"}).startswith("Number A, zero")


def test_zh_never_gets_the_plain_cmn_voice():
    listing = subprocess.run(
        ["espeak-ng", "--voices"], capture_output=True, text=True, check=False
    ).stdout
    voices = []
    for line in listing.splitlines()[1:]:
        cols = line.split()
        voices.append((cols[4], [cols[1]]))  # (file path as id, language)
    assert ("sit/cmn", ["cmn"]) in voices  # the bad voice is there, listed first...
    assert pick_voice(voices, "zh").lower() == "sit/cmn-latn-pinyin"  # ...and still not chosen
    assert pick_voice(voices, "en").lower() == "gmw/en-us"
    with pytest.raises(VoiceError, match="cmn-latn-pinyin"):
        pick_voice([("sit/cmn", ["cmn"])], "zh")


# --- real synthesis -----------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_real_speech_is_22khz_mono_16bit_audible_and_sentence_length(voice, audio_dir, lang):
    path = voice.synthesize(speech_text("A012", 3, lang), lang, audio_dir / f"call_{lang}.wav")
    info, frames = read_frames(path)
    assert (info.rate, info.channels, info.sample_width) == (22050, 1, 2)
    assert 1.0 < info.duration_s < 8.0
    assert rms(frames) > 1000  # silence is ~0; measured speech is ~4000
    stat = subprocess.run(
        ["sox", str(path), "-n", "stat"], capture_output=True, text=True, check=False
    )
    sox_rms = float(next(li for li in stat.stderr.splitlines() if "RMS     amp" in li).split()[-1])
    assert sox_rms > 0.03
    assert voice.voice_used[lang] == {"zh": "sit/cmn-latn-pinyin", "en": "gmw/en-us"}[lang]
    assert not Path(str(path) + ".part").exists()


def test_longer_text_gives_longer_audio(voice, audio_dir):
    short = voice.synthesize("请 A 零一二 号", "zh", audio_dir / "short_zh.wav")
    long = voice.synthesize(
        speech_text("A012", 3, "zh") + "，请携带身份证原件和复印件", "zh", audio_dir / "long_zh.wav"
    )
    assert wav_info(long).duration_s > wav_info(short).duration_s + 1.0


def test_engine_crash_is_survived_by_restarting_it(audio_dir):
    v = Pyttsx3Voice()
    try:
        v.synthesize("window three", "en", audio_dir / "before_crash.wav")
        os.kill(v._proc.pid, signal.SIGKILL)  # what a libespeak segfault looks like
        v._proc.wait()
        path = v.synthesize("window four", "en", audio_dir / "after_crash.wav")
        assert wav_info(path).duration_s > 0.5
    finally:
        v.close()


def test_a_hung_engine_times_out_and_is_replaced(audio_dir):
    v = Pyttsx3Voice(timeout_s=0.001)  # shorter than the worker's start-up: looks hung
    try:
        with pytest.raises(VoiceError, match="took over"):
            v.synthesize("window five", "en", audio_dir / "hung.wav")
        assert v._proc is None  # the stuck worker was killed
        v.timeout_s = 20
        assert wav_info(v.synthesize("window five", "en", audio_dir / "hung.wav")).frames
    finally:
        v.close()


def test_unknown_voice_id_is_refused_not_silently_replaced(audio_dir):
    # pyttsx3 itself ignores an unknown voice and keeps the previous one: zh set first, then
    # a typo for en would have spoken English text with the Chinese voice.
    v = Pyttsx3Voice(voices={"en": "no-such-voice"}, timeout_s=10)
    try:
        (audio_dir / "never.wav").unlink(missing_ok=True)
        v.synthesize("请 A 零一二 号", "zh", audio_dir / "before_typo.wav")
        with pytest.raises(VoiceError, match="no-such-voice"):
            v.synthesize("hello", "en", audio_dir / "never.wav")
        assert not (audio_dir / "never.wav").exists()
        assert v.voice_used == {"zh": "sit/cmn-latn-pinyin"}
    finally:
        v.close()


# --- chime and fake voice -----------------------------------------------------------------


def zero_crossing_hz(frames: bytes, rate: int) -> float:
    from array import array

    s = array("h", frames)
    crossings = sum(1 for a, b in itertools.pairwise(s) if (a < 0) != (b < 0))
    return crossings / 2 / (len(s) / rate)


def test_chime_is_two_tones_high_then_low(audio_dir):
    info, frames = read_frames(write_chime(audio_dir / "chime.wav"))
    assert (info.rate, info.channels, info.sample_width) == (22050, 1, 2)
    assert 0.8 < info.duration_s < 1.5
    ding = frames[: 2 * int(0.4 * info.rate)]
    dong = frames[2 * int(0.5 * info.rate) : 2 * int(1.0 * info.rate)]
    assert zero_crossing_hz(ding, info.rate) == pytest.approx(880, rel=0.03)
    assert zero_crossing_hz(dong, info.rate) == pytest.approx(659, rel=0.03)


def test_fake_voice_writes_real_wavs_sized_to_the_text(tmp_path):
    fake = FakeVoice()
    a = fake.synthesize("short", "en", tmp_path / "a.wav")
    b = fake.synthesize("a much much longer sentence than that", "en", tmp_path / "b.wav")
    assert wav_info(b).duration_s > wav_info(a).duration_s > 0
    assert rms(read_frames(a)[1]) > 1000
    assert fake.calls == [("en", "short"), ("en", "a much much longer sentence than that")]


# --- the announcer ------------------------------------------------------------------------


def expected_labels(number: str, repeats: int = 2, langs=("zh", "en")) -> list[str]:
    out = []
    for r in range(1, repeats + 1):
        out += [f"{number} chime #{r}"] + [f"{number} {lang} #{r}" for lang in langs]
    return out


def test_burst_of_five_real_calls_plays_in_order_without_overlap(voice, audio_dir):
    player = RecordingPlayer(speed=50)  # blocks 1/50 of each clip's length, like aplay would
    results = []
    announcer = Announcer(voice, player, on_finished=results.append)
    numbers = ["A012", "A013", "B001", "A014", "C120"]
    for i, n in enumerate(numbers):  # in call order, but as fast as a clerk could click
        announcer.announce(n, i + 1)
    announcer.close(drain=True)

    assert [r.announcement.number for r in results] == numbers
    assert all(r.outcome is Outcome.SPOKEN for r in results)
    assert player.labels == [label for n in numbers for label in expected_labels(n)]
    assert player.max_concurrent == 1
    for a, b in itertools.pairwise(player.clips):
        assert a.ended <= b.started
    timeline = player.write(audio_dir / "burst_of_five.wav")
    for (_, _, end), (_, start, _) in itertools.pairwise(timeline):
        assert end == pytest.approx(start)
    joined = wav_info(audio_dir / "burst_of_five.wav")
    assert joined.duration_s == pytest.approx(timeline[-1][2], abs=0.01)
    assert not announcer.workdir.exists()  # its temporary WAVs were cleaned up


class VirtualClock:
    """A clock the player moves forward by each clip's length: real timing logic, no waiting."""

    def __init__(self):
        self.t = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def __call__(self):
        return self.t


class ClockedPlayer(RecordingPlayer):
    def __init__(self, clock):
        super().__init__()
        self.clock = clock

    def play(self, path, label=""):
        super().play(path, label)
        self.clock.t += timedelta(seconds=self.clips[-1].duration_s)


def test_calls_too_old_when_their_turn_comes_are_dropped_not_spoken_late(tmp_path, caplog):
    clock = VirtualClock()
    player = ClockedPlayer(clock)
    fake = FakeVoice()
    results = []
    announcer = Announcer(
        fake, player, max_age_s=5, now=clock, on_finished=results.append, workdir=tmp_path
    )
    stale = announcer.announce("A001", 1, created_at=clock.t - timedelta(seconds=120))
    with caplog.at_level(logging.INFO):
        for n in ("A002", "A003", "A004"):
            announcer.announce(n, 2, created_at=clock.t)
        announcer.close()

    outcomes = {r.announcement.number: r.outcome for r in results}
    # A002 (age 0) is spoken; it takes > 5 virtual seconds, so A003/A004 expire in the queue
    assert outcomes == {
        "A001": Outcome.DROPPED,
        "A002": Outcome.SPOKEN,
        "A003": Outcome.DROPPED,
        "A004": Outcome.DROPPED,
    }
    assert results[0].announcement == stale
    assert {label.split()[0] for label in player.labels} == {"A002"}
    assert announcer.counts[Outcome.DROPPED] == 3 and announcer.counts[Outcome.SPOKEN] == 1
    assert [t for _, t in fake.calls] == [
        speech_text("A002", 2, "zh"),
        speech_text("A002", 2, "en"),
    ]
    assert "dropped call A003" in caplog.text


def test_close_without_drain_drops_what_is_queued(tmp_path):
    started, release = threading.Event(), threading.Event()

    class SlowPlayer(RecordingPlayer):
        def play(self, path, label=""):
            started.set()
            release.wait(5)
            super().play(path, label)

    results = []
    announcer = Announcer(
        FakeVoice(),
        SlowPlayer(),
        languages=("en",),
        repeats=1,
        on_finished=results.append,
        workdir=tmp_path,
    )
    for n in ("A1", "A2", "A3"):
        announcer.announce(n, 1)
    assert started.wait(5)  # A1 is being played; A2 and A3 wait in the queue
    closer = threading.Thread(target=announcer.close, kwargs={"drain": False})
    closer.start()
    release.set()
    closer.join(5)
    assert [r.outcome for r in results] == [Outcome.SPOKEN, Outcome.DROPPED, Outcome.DROPPED]
    with pytest.raises(RuntimeError, match="closed"):
        announcer.announce("A4", 1)


def test_a_bad_number_is_refused_when_announced_not_later(tmp_path):
    announcer = Announcer(FakeVoice(), RecordingPlayer(), workdir=tmp_path)
    try:
        with pytest.raises(ValueError, match="no letters or digits"):
            announcer.announce("--", 1)
        with pytest.raises(ValueError, match="aware"):
            announcer.announce("A1", 1, created_at=datetime(2026, 1, 1))
    finally:
        announcer.close()
    assert announcer.counts == {outcome: 0 for outcome in Outcome}


def test_a_failing_synthesis_is_reported_and_the_next_call_still_plays(tmp_path):
    class FlakyVoice(FakeVoice):
        def synthesize(self, text, lang, path):
            if "B" in text:
                raise VoiceError("engine broke on this one")
            return super().synthesize(text, lang, path)

    player, results = RecordingPlayer(), []
    announcer = Announcer(
        FlakyVoice(), player, repeats=1, on_finished=results.append, workdir=tmp_path
    )
    announcer.announce("B001", 1)
    announcer.announce("A001", 2)
    announcer.close()
    assert [(r.announcement.number, r.outcome) for r in results] == [
        ("B001", Outcome.FAILED),
        ("A001", Outcome.SPOKEN),
    ]
    assert "engine broke" in results[0].detail
    assert player.labels == expected_labels("A001", repeats=1)


def test_voice_port_is_abstract():
    with pytest.raises(TypeError):
        Voice()


# --- aplay ----------------------------------------------------------------------------------


def test_missing_aplay_is_logged_once_and_does_not_stop_playback(tmp_path, caplog):
    chime = write_chime(tmp_path / "chime.wav")
    player = AplayPlayer(aplay="no-such-aplay-binary")
    with caplog.at_level(logging.WARNING):
        player.play(chime)
        player.play(chime)
    assert caplog.text.count("announcements are silent") == 1


@pytest.mark.skipif(shutil.which("aplay") is None, reason="alsa-utils not installed")
def test_real_aplay_without_a_sound_card_warns_once(tmp_path, caplog):
    cards = subprocess.run(["aplay", "-l"], capture_output=True, text=True, check=False)
    if "no soundcards" not in cards.stderr:
        pytest.skip("this machine has a sound card")
    chime = write_chime(tmp_path / "chime.wav")
    player = AplayPlayer()
    with caplog.at_level(logging.WARNING):
        player.play(chime)
        player.play(chime)
    assert caplog.text.count("announcements are silent") == 1
