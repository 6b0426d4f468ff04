"""Macros feature."""
