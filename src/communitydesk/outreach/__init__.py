"""Outreach feature."""
