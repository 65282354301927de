"""Child process owning the one pyttsx3/espeak-ng engine: JSON requests on stdin, replies on fd 1.

Run by Pyttsx3Voice, never imported by it. libespeak-ng is process-global state, so the
engine lives alone here; a crash (segfault) or hang kills only this process.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path


def main() -> None:
    # pyttsx3 prints "Audio saved to ..." and espeak writes warnings to fd 1: keep replies on a
    # private copy of fd 1 and send everything else to stderr.
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    # pyttsx3 has inline types but no py.typed marker, so mypy will not read them.
    import pyttsx3  # type: ignore[import-untyped]

    from hallcall.hardware.voice.voices import check_voice, pick_voice

    engine = pyttsx3.init("espeak")
    listed = engine.getProperty("voices")  # typed `object`: a list of pyttsx3 Voice
    if not isinstance(listed, list):
        raise RuntimeError(f"pyttsx3 listed no voices but {type(listed).__name__}")
    voices = [(v.id, list(v.languages or [])) for v in listed]
    current = None
    for line in sys.stdin:
        try:
            req = json.loads(line)
            wanted = req.get("voice")
            voice_id = check_voice(voices, wanted) if wanted else pick_voice(voices, req["lang"])
            if voice_id != current:
                engine.setProperty("voice", voice_id)
                current = voice_id
            if req.get("rate"):
                engine.setProperty("rate", int(req["rate"]))
            final = Path(req["path"])
            part = final.with_name(final.name + ".part")
            # pyttsx3 2.99 now and then (about 1 in 30 fresh engines, more under load) writes
            # the file when espeak reports the end, before the last samples arrive: an empty
            # WAV. Saying it again works, so try up to three times before giving up.
            for _attempt in range(3):
                engine.save_to_file(req["text"], str(part))
                engine.runAndWait()
                # Never runAndWait() without an utterance queued: measured to hang forever.
                if part.exists() and part.stat().st_size > 44:
                    break
            else:
                raise RuntimeError("engine produced no audio")
            used = engine.getProperty("voice")  # typed `object`: the voice id, or None
            if not isinstance(used, str):
                used = ""
            if used.lower() != voice_id.lower():
                part.unlink()
                raise RuntimeError(f"engine spoke with {used!r}, not {voice_id!r}")
            os.replace(part, final)
            reply = {"ok": True, "voice": used}
        except Exception as exc:  # noqa: BLE001 - report every failure to the parent
            traceback.print_exc()
            reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        replies.write(json.dumps(reply) + "\n")


if __name__ == "__main__":
    main()
