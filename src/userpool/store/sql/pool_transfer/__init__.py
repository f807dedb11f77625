"""Moving a whole pool between userpool servers (docs/pool-export.md): ``userpool export`` writes it to a file,
``userpool import`` writes the file into another server's database. parts.py says what is carried, file_format.py
how the file is written and verified, export.py and restore.py the two directions."""
