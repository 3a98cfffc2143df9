"""Device emulators, one module per device, each speaking its device's production codec.

``sim.host.EMULATORS`` names the class of each; they never import a driver.
"""
