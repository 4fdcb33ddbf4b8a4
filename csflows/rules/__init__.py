"""The business's rules as pure functions: no store, no network, no Prefect."""
