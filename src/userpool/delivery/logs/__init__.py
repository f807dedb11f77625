"""Log delivery: where the events of pools' LogConfigurations go. ``port.py`` is what the rest of the server
uses; ``app.py`` builds the adapter (``shipper.py``, with the sinks of ``sinks.py``) from the settings."""
