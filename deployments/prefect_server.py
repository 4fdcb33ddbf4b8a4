"""`prefect server start` with SQLite as a single writer: no 503 "database is locked".

Prefect 3.8.8 opens SQLite in WAL mode with a 60 s busy timeout, yet begins most write
transactions DEFERRED: a transaction that reads, then writes while another writer has committed,
fails at once with SQLITE_BUSY (SQLite does not wait there: waiting could deadlock), and the API
answers 503. The Python client retries a 503; the UI does not, so an operator's click is lost.
Beginning every transaction IMMEDIATE takes the write lock first: writers queue behind the busy
timeout instead of failing. No Prefect setting does this (its pool settings do not apply to
SQLite), so this launcher installs it, then runs Prefect's own CLI in the same process
(`prefect server start` serves in-process with one worker). On PostgreSQL it changes nothing.

    python -m deployments.prefect_server start --host 127.0.0.1 --port 4200
"""

from __future__ import annotations

import sys
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from prefect.server.database.configurations import AioSqliteConfiguration
from sqlalchemy.ext.asyncio import AsyncSession, AsyncSessionTransaction


class SingleWriterSqlite(AioSqliteConfiguration):
    """Prefect's SQLite configuration, every transaction begun IMMEDIATE (one writer at a time)."""

    @asynccontextmanager
    async def begin_transaction(
        self, session: AsyncSession, with_for_update: bool = False
    ) -> AsyncGenerator[AsyncSessionTransaction, None]:
        async with super().begin_transaction(session, with_for_update=True) as transaction:
            yield transaction


def install_single_writer(url: str | None = None) -> bool:
    """Make the server's database (`url`, default Prefect's setting) a single writer when it is
    SQLite; True when installed."""
    from prefect.server.database.dependencies import MODELS_DEPENDENCIES
    from prefect.settings import PREFECT_API_DATABASE_CONNECTION_URL

    url = url or PREFECT_API_DATABASE_CONNECTION_URL.value()
    if not url or not url.startswith("sqlite"):
        return False
    MODELS_DEPENDENCIES["database_config"] = SingleWriterSqlite(connection_url=url)
    return True


def main(argv: list[str]) -> int:
    """`prefect server ...argv` with the single writer installed."""
    from prefect.cli import app

    install_single_writer()
    sys.argv = ["prefect", "server", *argv]
    app()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
