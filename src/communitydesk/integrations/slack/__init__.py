"""Slack: the Web API client outreach posts with, and the Events API endpoint replies arrive at."""
