"""The A4 document printer (HP PJL): ``codec`` (requests, job framing, replies),
``status_codes`` (PJL codes to device states), ``stream`` (the printer-side request decoder)
and ``driver`` (jobs with per-page confirmation).

Import the submodule you need; this package imports none of them, so the simulator can use
the codecs without loading the driver.
"""
