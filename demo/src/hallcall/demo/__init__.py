"""`hallcall demo`: an embedded MQTT server, a queue broker and every device app on one machine."""
