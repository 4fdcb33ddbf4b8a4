"""Deployments: `prefect.yaml` is the one list; `serve` builds them for one process."""
