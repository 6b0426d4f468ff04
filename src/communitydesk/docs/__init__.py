"""Docs-first answers: index Markdown docs trees and suggest the pages and sections that answer a text.

`service.suggest(index, text)` is the entry point for the rest of the desk; `service.open_index(settings)`
opens the index (its own SQLite file) and `service.index(...)` brings it up to date with docs trees.
"""
