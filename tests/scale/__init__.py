"""Scale-out: several worker processes and instances on one database (issue 8)."""
