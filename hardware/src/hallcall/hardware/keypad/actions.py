"""What a clerk can ask for by pressing a key; the same for serial, wireless and GPIO keypads."""

from __future__ import annotations

from enum import Enum


class KeypadAction(str, Enum):
    NEXT = "next"  # call the next ticket
    RECALL = "recall"  # call the current ticket again
    NO_SHOW = "no_show"  # the called customer did not come
    FINISH = "finish"  # done with the current customer
    PAUSE = "pause"  # the window stops calling
    RESUME = "resume"  # the window calls again
