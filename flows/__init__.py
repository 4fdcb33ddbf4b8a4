"""Prefect flows, one module per procedure; each reads like the seed it automates."""
