"""What the benches on a Prefect server share: a temporary folder kept for the logs (the store in
its `home`, CSFLOWS_HOME) and a Prefect server on a PostgreSQL server of its own (on SQLite a
burst of state changes meets `database is locked` and 503s), both stopped at the end."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.prefect_server import PrefectServer, prefect_on_postgres


@contextmanager
def bench_stack(prefix: str) -> Iterator[tuple[Path, PrefectServer]]:
    """The bench's folder (named `prefix`...) and its running Prefect server."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["CSFLOWS_HOME"] = str(root / "home")
    try:
        with prefect_on_postgres(root / "prefect") as prefect:
            yield root, prefect
    finally:
        print(f"logs in {root}")
