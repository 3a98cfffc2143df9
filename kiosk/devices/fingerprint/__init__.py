"""Fingerprint sensor: ZhianTec ZFM-20 / Grow R30x (R305, R307, R503) / AS608.

``codes`` and ``codec`` are the pure protocol (shared with the simulator), ``outcomes`` the
capture results and their errors, ``driver`` the I/O. This package imports nothing itself, so
that the simulator can import the codec without pulling in the driver.
"""
