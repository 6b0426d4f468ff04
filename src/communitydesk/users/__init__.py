"""Users feature."""
