"""Exchange domain (see issues)."""
