"""Intake from external sources: polling flows, stored cursors and scheduled polls."""
