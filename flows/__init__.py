"""Prefect flows, one module per procedure (seed); a flow reads like the procedure it automates."""
