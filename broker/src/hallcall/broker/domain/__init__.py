"""The queue rules of a service hall, in plain Python: no MQTT, no SQL, no Qt, no clock.

Everything here takes the current time as an argument, so the rules are tested fast and exactly.
"""
