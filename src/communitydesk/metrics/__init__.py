"""Metrics and the monthly report: outreach, expert responses, rising tags, docs-first answers."""
