"""Clients for external APIs, each over `csflows.http.request` (rate limit, transient retries)."""
