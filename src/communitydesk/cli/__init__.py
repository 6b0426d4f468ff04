"""The `desk` command line."""
