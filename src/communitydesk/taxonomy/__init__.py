"""Taxonomy feature."""
