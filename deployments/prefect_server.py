"""`prefect server start` with SQLite as a single writer: no 503 "database is locked".

Prefect 3.8.8 opens SQLite in WAL mode with a 60 s busy timeout, yet begins most write
transactions DEFERRED: a transaction that reads, then writes while another writer has committed,
fails at once with SQLITE_BUSY (SQLite does not wait there: waiting could deadlock), and the API
answers 503. The Python client retries a 503; the UI does not, so an operator's click is lost.
Beginning every transaction IMMEDIATE takes the write lock first: writers queue behind the busy
timeout instead of failing. Yet SQLite's wait is a lottery (each waiter polls, the first to
poll after a commit wins) bounded at 60 s: under a burst on a busy machine one `BEGIN IMMEDIATE`
lost it for 66 s (measured) and the API answered 503 all the same. So the server's transactions
also queue in turn, first come first served, before they ask SQLite for the lock: SQLite then
only waits for writes made outside a transaction, which are single statements. No Prefect
setting does this (its pool settings do not apply to SQLite), so this launcher installs it, then
runs Prefect's own CLI in the same process (`prefect server start` serves in-process with one
worker, services included). On PostgreSQL it changes nothing.

    python -m deployments.prefect_server start --host 127.0.0.1 --port 4200
"""

from __future__ import annotations

import asyncio
import sys
import weakref
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager, suppress
from contextvars import ContextVar
from typing import Any

from prefect.server.database.configurations import AioSqliteConfiguration
from sqlalchemy.ext.asyncio import AsyncSession, AsyncSessionTransaction

# Longest a transaction queues for its turn; then it asks SQLite itself (whose own wait is 60 s),
# so a transaction that awaits another one cannot hang the server.
TURN_WAIT_SECONDS = 300
_IN_TURN: ContextVar[bool] = ContextVar("csflows_sqlite_in_turn", default=False)


class SingleWriterSqlite(AioSqliteConfiguration):
    """Prefect's SQLite configuration with one writer at a time: the server's transactions take
    turns (first come, first served), each begun IMMEDIATE."""

    def __init__(self, connection_url: str, **settings: Any) -> None:
        super().__init__(connection_url, **settings)
        self._turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    @asynccontextmanager
    async def begin_transaction(
        self, session: AsyncSession, with_for_update: bool = False
    ) -> AsyncGenerator[AsyncSessionTransaction, None]:
        async with (
            self._turn(),
            super().begin_transaction(session, with_for_update=True) as transaction,
        ):
            yield transaction

    @asynccontextmanager
    async def _turn(self) -> AsyncIterator[None]:
        """Wait for this transaction's turn (at most TURN_WAIT_SECONDS); one begun inside another
        (Prefect nests a few) is already in its turn."""
        if _IN_TURN.get():
            yield
            return
        turns = self._turns.setdefault(asyncio.get_running_loop(), asyncio.Lock())
        mine = False
        with suppress(TimeoutError):
            mine = await asyncio.wait_for(turns.acquire(), TURN_WAIT_SECONDS)
        token = _IN_TURN.set(True)
        try:
            yield
        finally:
            _IN_TURN.reset(token)
            if mine:
                turns.release()


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
