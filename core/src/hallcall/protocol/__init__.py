"""The MQTT contract (docs/protocol.md, version 1): topic names and payload models.

Both sides import this package: the queue broker to validate what devices send, the devices to
validate what the broker publishes. docs/asyncapi.yaml documents the same names and a test keeps
the two in agreement.
"""
