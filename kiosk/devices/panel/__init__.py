"""The I/O panel (keypad, headset jack, service key, door and tamper switches): codec (pure) and
driver, on our framed protocol (docs/protocols/panel.md)."""
