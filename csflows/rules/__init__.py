"""Business rules as pure functions: no Prefect, no network, testable on their own."""
