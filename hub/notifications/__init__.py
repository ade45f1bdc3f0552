"""Notifications: each user's page of what happened, and e-mail digests."""
