"""X/Twitter API v2 recent search: a paid API, read within a monthly budget."""
