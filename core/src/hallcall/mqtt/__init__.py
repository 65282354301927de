"""MQTT plumbing shared by the queue broker and every device (paho-mqtt 2.x)."""
