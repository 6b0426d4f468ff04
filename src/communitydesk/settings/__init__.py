"""The sections of the one `Settings` object (communitydesk.config), grouped by what they configure."""
