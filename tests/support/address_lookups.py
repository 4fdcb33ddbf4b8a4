"""One machine validating addresses against Google at once, as a worker's check tasks do: run as
`python -m tests.support.address_lookups FIRST COUNT THREADS`, it validates COUNT distinct
addresses (suites FIRST...) through the task layer's quotas (`import tasks`) and prints how many
were answered and the errors, as JSON."""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor

import tasks  # noqa: F401 - the team's quotas, as in a worker
from blocks import GoogleMapsCredentials, resolve
from csflows.clients.google import GoogleMaps
from csflows.errors import ApiError
from tests.support.inquiries import inquiry


def validate(suite: int) -> str:
    """`ok`, or the error a lookup ended with."""
    try:
        GoogleMaps(resolve(GoogleMapsCredentials)).validate(
            inquiry(address={"unit": f"Suite {suite}"}).address
        )
    except ApiError as exc:
        return str(exc)
    return "ok"


def main(first: int, count: int, threads: int) -> None:
    with ThreadPoolExecutor(threads) as pool:
        outcomes = list(pool.map(validate, range(first, first + count)))
    errors = [o for o in outcomes if o != "ok"]
    print(json.dumps({"answered": len(outcomes) - len(errors), "errors": errors}))


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:4]))
