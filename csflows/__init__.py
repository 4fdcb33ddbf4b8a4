"""csflows: a wholesaler's customer-service procedures, as Prefect 3 flows."""

__version__ = "0.1.0"
