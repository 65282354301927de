"""Voice announcements: call sentences, speech synthesis, chime, playback, and the queue."""

from .announcer import Announcement, AnnouncementResult, Announcer, Outcome
from .chime import write_chime
from .fake_voice import FakeVoice
from .phrasing import DEFAULT_TEMPLATES, speech_text, spell_number
from .player import AplayPlayer, Player
from .port import Voice, VoiceError
from .pyttsx3_voice import Pyttsx3Voice
from .recording_player import Clip, RecordingPlayer

__all__ = [
    "DEFAULT_TEMPLATES",
    "Announcement",
    "AnnouncementResult",
    "Announcer",
    "AplayPlayer",
    "Clip",
    "FakeVoice",
    "Outcome",
    "Player",
    "Pyttsx3Voice",
    "RecordingPlayer",
    "Voice",
    "VoiceError",
    "speech_text",
    "spell_number",
    "write_chime",
]
