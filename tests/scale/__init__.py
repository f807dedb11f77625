"""Scale-out: several worker processes and instances on one database (PostgreSQL)."""
