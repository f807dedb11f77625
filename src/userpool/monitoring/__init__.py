"""What the server tells its operators about itself: Prometheus metrics and the form of its log lines.

Services and entry points record through the port in ``port.py`` (``ctx.metrics``); ``app.py`` chooses its
adapter, ``prometheus.py`` (the one module that imports prometheus_client), or none when metrics are off.
``http.py`` serves ``GET /metrics`` and times the requests of the routes; ``logs.py`` sets up logging.
"""
