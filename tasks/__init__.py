"""Prefect tasks, one module per concern: thin wrappers over csflows rules and clients that
carry retries (transient faults only), caching and rate limits."""
