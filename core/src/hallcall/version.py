"""HallCall: a queue ("take a number") system for public service halls."""

__version__ = "0.1.0"

#: The MQTT contract version spoken on the wire (topics live under hallcall/v1/...).
PROTOCOL_VERSION = 1


def incompatibility(protocol: int | None, version: str | None) -> str | None:
    """Why this device cannot work with a queue broker that says `protocol`, or None.

    A device of another protocol major would send commands the broker misreads, or read states
    it cannot show: it must say so, not show "online". A broker too old to say its protocol
    (None) is taken as this one.
    """
    if protocol is None or protocol == PROTOCOL_VERSION:
        return None
    update = "this device" if protocol > PROTOCOL_VERSION else "the hall server"
    update_zh = "本设备" if protocol > PROTOCOL_VERSION else "大厅服务器"
    return (
        f"version mismatch: the queue broker speaks protocol {protocol} "
        f"(HallCall {version or 'unknown'}), this device protocol {PROTOCOL_VERSION} "
        f"(HallCall {__version__}); update {update} / 版本不兼容, 请升级{update_zh}"
    )
