"""The hall's [hall.voice] settings reach the voice caller (no MQTT, fake speech)."""


def test_the_halls_voice_settings_apply_unless_the_display_sets_its_own(tmp_path):
    """[hall.voice] arrives in the catalog; a display's own [voice] values win."""
    from hallcall.display.settings import VoiceSettings
    from hallcall.display.voice_caller import VoiceCaller
    from hallcall.hardware.voice import FakeVoice, RecordingPlayer

    hall_voice = {
        "languages": ["en"],
        "repeat": 1,
        "max_age_s": 30,
        "templates": {"en": "Ticket {number} to window {window}"},
    }
    follows = VoiceCaller(VoiceSettings(), FakeVoice(), RecordingPlayer(), workdir=str(tmp_path))
    own = VoiceCaller(
        VoiceSettings(repeat=3, languages=["zh"]),
        FakeVoice(),
        RecordingPlayer(),
        workdir=str(tmp_path),
    )
    try:
        assert (follows.announcer.languages, follows.announcer.repeats) == (("zh", "en"), 2)
        follows.follow_hall(hall_voice)
        own.follow_hall(hall_voice)
        a = follows.announcer
        assert (a.languages, a.repeats, a.max_age_s) == (("en",), 1, 30.0)
        assert a.templates == {"en": "Ticket {number} to window {window}"}
        b = own.announcer
        assert (b.languages, b.repeats, b.max_age_s) == (("zh",), 3, 30.0)
    finally:
        follows.close()
        own.close()
