"""Where the CSV files of user import jobs are kept between their upload and their import: the port
(``port.py``) and its adapter, a directory of this instance's data directory (``directory.py``), which
``app.py`` chooses."""
