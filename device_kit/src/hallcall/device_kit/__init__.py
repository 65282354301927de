"""Qt plumbing shared by the device apps (kiosk, clerk terminal, lobby display, rating pad).

Each app keeps its logic in a Qt-free model (`<app>/model.py`, tested without Qt) and only
renders that model in widgets; this package connects models to MQTT and Qt's event loop.
"""
