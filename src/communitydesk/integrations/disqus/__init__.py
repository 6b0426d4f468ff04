"""Disqus: blog and docs comments through forums/listPosts (Disqus has no webhooks, so it is polled)."""
