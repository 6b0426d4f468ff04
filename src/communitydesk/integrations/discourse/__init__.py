"""Discourse: signed webhooks as the main feed; /posts.json, /latest.json and /t/{id}.json for backfill."""
