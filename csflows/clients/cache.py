"""Cache external lookups in the store, keyed by the normalized request.

A store table rather than Prefect task caching: it works the same from a flow, the CLI, a test
or the benchmark, survives resumes and restarts, is shared by every worker using the store,
and an operator can read (or delete) what was looked up. Only successful answers are kept.

Single flight: when many runs ask for the same request at the same moment (a burst of
inquiries from one address), one of them calls the API and the others wait for its answer and
read it from the store. The scope of that guarantee is the store: with PostgreSQL a
transaction-scoped advisory lock per key covers every process on every machine using the
database; with SQLite (one machine by nature) a file lock per key under CSFLOWS_HOME covers
every process sharing that home. A failed fetch stores nothing, so the next waiter tries
itself; a holder that dies releases its lock with its connection or process; a waiter that
has waited `wait` seconds calls the API itself rather than hang the run.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from csflows import store
from csflows.paths import home
from csflows.store.tables import LookupRow

_log = logging.getLogger(__name__)

# the advisory-lock class id of lookups (int4), so other advisory locks cannot collide with ours
_LOOKUP_LOCK_CLASS = int.from_bytes(b"csfL", "big") - 2**31
_POLL = 0.02


def lookup_key(api: str, request: Any) -> tuple[str, str]:
    text = json.dumps(request, sort_keys=True, default=str)
    return hashlib.sha256(f"{api}\n{text}".encode()).hexdigest(), text


Sessions = Callable[[], AbstractContextManager[Session]]


def _fresh(sessions: Sessions, key: str, max_age: timedelta) -> tuple[bool, Any]:
    """(True, answer) when the store has a fresh answer for `key`; a stale one is deleted."""
    with sessions() as s:
        row = s.scalar(select(LookupRow).where(LookupRow.key == key))
        if row is None:
            return False, None
        fetched = row.fetched_at if row.fetched_at.tzinfo else row.fetched_at.replace(tzinfo=UTC)
        if datetime.now(UTC) - fetched <= max_age:
            return True, (row.response or {}).get("answer")
        s.execute(delete(LookupRow).where(LookupRow.key == key))
    return False, None


def _remember(
    sessions: Sessions, key: str, api: str, request_text: str, answer: Any, at: datetime
) -> None:
    try:
        with sessions() as s:
            s.add(
                LookupRow(
                    key=key,
                    api=api,
                    request=request_text[:4000],
                    response={"answer": answer},
                    fetched_at=at,
                )
            )
    except IntegrityError:
        pass  # a waiter that gave up waiting stored the same answer first


def _poll(try_lock: Callable[[], bool], wait: float) -> bool:
    """Call `try_lock` until it succeeds (True) or `wait` seconds have passed (False)."""
    deadline = time.monotonic() + wait
    while not try_lock():
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL)
    return True


@contextmanager
def _postgres_flight(key: str, wait: float) -> Iterator[tuple[bool, Sessions]]:
    """An advisory lock held by an open transaction, released when it commits (the answer
    becomes visible at that same moment) or when the connection drops with a dead process.
    The double-check and the answer use that connection: holding one connection while asking
    the pool for another would exhaust the pool under a burst."""
    object_id = int(key[:8], 16) - 2**31
    with store.engine().connect() as conn, conn.begin():
        query = text("SELECT pg_try_advisory_xact_lock(:c, :o)")
        locked = _poll(
            lambda: bool(conn.scalar(query, {"c": _LOOKUP_LOCK_CLASS, "o": object_id})), wait
        )

        @contextmanager
        def sessions() -> Iterator[Session]:
            with (
                Session(bind=conn, join_transaction_mode="create_savepoint") as s,
                s.begin(),
            ):
                yield s

        yield locked, sessions


@contextmanager
def _file_flight(key: str, wait: float) -> Iterator[tuple[bool, Sessions]]:
    """flock on a file per key (4,096 stripes): separate opens exclude each other, in one
    process's threads as across processes, and the kernel releases it when a process dies."""
    path = home() / "locks" / "lookups" / f"{key[:3]}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:

        def try_lock() -> bool:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True

        yield _poll(try_lock, wait), store.session


def single_flight(key: str, wait: float = 120.0) -> AbstractContextManager[tuple[bool, Sessions]]:
    """A context holding the store-wide lock of `key`: (False when `wait` ran out, the
    sessions to read and write the answer with while it is held)."""
    if store.engine().dialect.name == "postgresql":
        return _postgres_flight(key, wait)
    return _file_flight(key, wait)


def cached_lookup(
    api: str, request: Any, fetch: Callable[[], Any], max_age: timedelta, wait: float = 120.0
) -> tuple[Any, bool]:
    """(answer, True) from the cache when fresh, else (fetch(), False) and remember it; one
    fetch per request at a time across the store's users (see the module's docstring)."""
    store.ready()
    key, request_text = lookup_key(api, request)
    found, answer = _fresh(store.session, key, max_age)
    if found:
        return answer, True
    with single_flight(key, wait) as (locked, sessions):
        if not locked:
            _log.warning("%s: waited %gs for another lookup of the same request", api, wait)
        found, answer = _fresh(sessions, key, max_age)  # the run we waited for stored it?
        if found:
            return answer, True
        now = datetime.now(UTC)
        answer = fetch()
        _remember(sessions, key, api, request_text, answer, now)
    return answer, False
