"""The e2e Prefect server keeps its runs in the database it was asked for: PostgreSQL with
CSFLOWS_TEST_PREFECT_DB=postgres (never a silent fall-back to SQLite), else SQLite in its home."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from prefect import flow, get_client

from tests.support.postgres import postgres_wanted
from tests.support.prefect_server import PrefectServer, prefect_client_settings

pytestmark = [pytest.mark.e2e]


@flow(name="database-probe")
def database_probe() -> None:
    """Never runs: only its flow run record matters."""


def runs_in(url: str, flow_run_id: Any) -> int:
    """How many `flow_run` rows with this id the database at `url` holds."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as c:
            query = sa.text("SELECT count(*) FROM flow_run WHERE id = :id")
            return int(c.scalar(query, {"id": str(flow_run_id)}) or 0)
    finally:
        engine.dispose()


def test_flow_runs_land_in_the_database_asked_for(prefect_server: PrefectServer) -> None:
    with prefect_client_settings(prefect_server), get_client(sync_client=True) as client:
        run = client.create_flow_run(database_probe, name="where-am-i")

    sqlite_file = prefect_server.home / "prefect.db"
    if postgres_wanted("CSFLOWS_TEST_PREFECT_DB"):
        assert prefect_server.database_url, "CSFLOWS_TEST_PREFECT_DB=postgres but no database URL"
        url = sa.make_url(prefect_server.database_url).set(drivername="postgresql+psycopg")
        assert runs_in(url.render_as_string(hide_password=False), run.id) == 1
        assert not sqlite_file.exists(), f"the server also wrote {sqlite_file}"
    else:
        assert prefect_server.database_url is None
        assert runs_in(f"sqlite:///{sqlite_file}", run.id) == 1
