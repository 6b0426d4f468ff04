"""Reddit through its OAuth API (a script app's password grant); off until credentials are configured."""
