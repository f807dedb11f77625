"""The internal steps of the identity pool operations; they answer no operation."""
