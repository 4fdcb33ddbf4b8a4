"""Prefect flows, one module per procedure (DESIGN.md)."""
