"""Experts feature: the people directory, special routes, name aliases and closing the loop."""
