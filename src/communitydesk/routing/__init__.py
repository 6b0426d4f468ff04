"""Routing feature: which stage, group, category, people and channel to ask about a text."""
