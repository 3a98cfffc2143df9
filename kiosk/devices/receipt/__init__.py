"""The ESC/POS receipt printer: ``codec`` (status bytes, Korean text), ``stream`` (the
printer-side command decoder), ``layout`` (the fee receipt's lines) and ``driver``.

Import the submodule you need; this package imports none of them, so the simulator can use
the codecs without loading the driver.
"""
