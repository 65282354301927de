"""The rating pad app: a small touch screen (or physical keys) at each window.

It is its own package, not part of the lobby display: it runs on its own device at the window,
bound to one window, and shares nothing with the lobby TV but the MQTT and Qt plumbing.
"""
