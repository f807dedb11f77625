"""Federation: the server as a relying party of real identity providers."""
