"""A tiny flow for the serve tests."""

from prefect import flow


@flow
def hello(who: str = "world") -> str:
    return f"hello {who}"
