"""Hacker News: the Algolia search API for mentions, the Firebase API for thread context."""
