"""HallCall: a queue ("take a number") system for public service halls."""

__version__ = "0.1.0"

#: The MQTT contract version spoken on the wire (topics live under hallcall/v1/...).
PROTOCOL_VERSION = 1
