"""Prefect tasks, one module per concern: thin wrappers over csflows rules and clients that
carry retries (transient faults only: the one retry layer), caching and the team's API quotas
(quotas)."""

from tasks import quotas as quotas  # every client's API quota is the team's from here on
