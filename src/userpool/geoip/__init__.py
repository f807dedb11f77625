"""Where an IP address is: the operator's GeoIP database, read for adaptive authentication's impossible-travel
signal and for the City and Country of auth events. Services use the port in ``port.py``; ``app.py`` chooses
the adapter (``maxmind.py``, a MaxMind DB file, when the settings name one)."""
