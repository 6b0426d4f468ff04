"""Zendesk: tickets imported through the incremental cursor export, with their tags."""
