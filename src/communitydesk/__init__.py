"""Community Desk: a desk for a company's community team."""

__version__ = "0.1.0"
