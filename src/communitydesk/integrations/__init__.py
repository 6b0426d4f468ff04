"""External systems behind small interfaces (integrations.base), one folder per provider."""
