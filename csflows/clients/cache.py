"""Cache external lookups in the store, keyed by the normalized request.

A store table rather than Prefect task caching: it works the same from a flow, the CLI, a test
or the benchmark, survives resumes and restarts, is shared by every worker using the store,
and an operator can read (or delete) what was looked up. Only successful answers are kept.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from csflows import store
from csflows.store.tables import LookupRow

_upgrade_lock = threading.Lock()


@lru_cache(maxsize=8)
def _upgraded(url: str) -> bool:
    store.upgrade()
    return True


def _store_ready(url: str) -> None:
    """Migrate once per store and process; concurrent check tasks must not race Alembic."""
    with _upgrade_lock:
        _upgraded(url)


def lookup_key(api: str, request: Any) -> tuple[str, str]:
    text = json.dumps(request, sort_keys=True, default=str)
    return hashlib.sha256(f"{api}\n{text}".encode()).hexdigest(), text


def cached_lookup(
    api: str, request: Any, fetch: Callable[[], Any], max_age: timedelta
) -> tuple[Any, bool]:
    """(answer, True) from the cache when fresh, else (fetch(), False) and remember it."""
    _store_ready(store.database_url())
    key, text = lookup_key(api, request)
    now = datetime.now(UTC)
    with store.session() as s:
        row = s.scalar(select(LookupRow).where(LookupRow.key == key))
        if row is not None:
            fetched = (
                row.fetched_at if row.fetched_at.tzinfo else row.fetched_at.replace(tzinfo=UTC)
            )
            if now - fetched <= max_age:
                return (row.response or {}).get("answer"), True
            s.execute(delete(LookupRow).where(LookupRow.key == key))
    answer = fetch()
    try:
        with store.session() as s:
            s.add(
                LookupRow(
                    key=key,
                    api=api,
                    request=text[:4000],
                    response={"answer": answer},
                    fetched_at=now,
                )
            )
    except IntegrityError:
        pass  # a concurrent run stored the same answer first
    return answer, False
