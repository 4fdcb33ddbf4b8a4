"""Prefect flows, one module per procedure; each reads like the seed it automates.

Importing any of them (as a served run's process does) makes this process's flow runs end with
their code, not up to a second later (flows/heartbeats.py)."""

from flows import heartbeats

heartbeats.install()
