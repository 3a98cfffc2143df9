"""Kiosk telemetry: the wire contract (``protocol``), the durable outbox, the MQTT publisher,
command verification and the ``TelemetryService`` the core calls (docs/telemetry.md).

Deliberately empty of imports: the fleet monitor imports ``kiosk.telemetry.protocol`` alone,
without paho or SQLite."""
