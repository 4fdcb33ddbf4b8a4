"""`csflows customers import|list`: all rows or none, with row-numbered errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from csflows import customers
from csflows.errors import EXIT_CODES, ConfigError, CsvImportError, InputError, NotFound
from csflows.paths import config_dir

HEADER = "id,name,email,phone,division,level,sales_agent,address,timezone\n"
runner = CliRunner()


def _csv(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "customers.csv"
    path.write_text(header + "".join(r + "\n" for r in rows))
    return path


def test_import_good_file_and_list_json(tmp_path: Path, store_ready: Path) -> None:
    result = runner.invoke(
        app, ["customers", "import", str(config_dir() / "demo" / "customers.csv")]
    )
    assert result.exit_code == 0, result.output
    assert "imported 6 customer(s)" in result.output
    listed = runner.invoke(app, ["customers", "list", "--json"])
    rows = json.loads(listed.stdout)
    assert [r["id"] for r in rows] == ["C-1001", "C-1002", "C-1003", "C-1004", "C-1005", "C-1006"]
    assert (
        rows[2] | {} == rows[2] and rows[2]["division"] == "craft_hobby" and rows[2]["level"] == 4
    )
    assert rows[3]["timezone"] == "America/Phoenix"


def test_bad_rows_are_numbered_and_nothing_is_imported(tmp_path: Path, store_ready: Path) -> None:
    path = _csv(
        tmp_path,
        "C-1,Good Co,good@example.com,,Craft & Hobby,2,Dana,,America/Chicago",
        "C-2,Bad Level,bad@example.com,,COP,5,Dana,,America/Chicago",
        "C-3,Bad Mail,not-an-email,,COP,1,Dana,,America/Chicago",
        "C-4,Bad Division,x@example.com,,Glitterati,1,Dana,,America/Chicago",
        "C-5,Bad Zone,z@example.com,,COP,1,Dana,,Mars/Olympus",
        "C-1,Twice,t@example.com,,COP,1,Dana,,America/Chicago",
    )
    with pytest.raises(CsvImportError) as err:
        customers.import_csv(path)
    text = str(err.value)
    assert "row 3: level: Input should be less than or equal to 4 (got '5')" in text
    assert "row 4: email:" in text and "'not-an-email'" in text
    assert "row 5: division: unknown division 'Glitterati'" in text
    assert "row 6: timezone:" in text and "Mars/Olympus" in text
    assert customers.list_customers() == []
    result = runner.invoke(app, ["customers", "import", str(path)])
    assert result.exit_code == EXIT_CODES[InputError] and "nothing imported" in result.output


def test_duplicate_ids_in_one_file(tmp_path: Path, store_ready: Path) -> None:
    path = _csv(
        tmp_path,
        "C-1,A,a@example.com,,COP,1,,,America/Chicago",
        "C-1,B,b@example.com,,COP,1,,,America/Chicago",
    )
    with pytest.raises(CsvImportError, match=r"row 3: id: 'C-1' repeats row 2"):
        customers.import_csv(path)


def test_wrong_header(tmp_path: Path, store_ready: Path) -> None:
    path = _csv(tmp_path, "C-1,A,a@example.com", header="id,name,email\n")
    with pytest.raises(CsvImportError, match="row 1: header must be id,name,email,phone"):
        customers.import_csv(path)


def test_reimport_updates_instead_of_duplicating(tmp_path: Path, store_ready: Path) -> None:
    customers.import_csv(_csv(tmp_path, "C-1,A,a@example.com,,COP,2,,,America/Chicago"))
    customers.import_csv(_csv(tmp_path, "C-1,A Renamed,a@example.com,,COP,3,,,America/Chicago"))
    rows = customers.list_customers()
    assert len(rows) == 1 and rows[0]["name"] == "A Renamed" and rows[0]["level"] == 3


def test_list_by_unknown_division_is_a_clear_error(store_ready: Path) -> None:
    result = runner.invoke(app, ["customers", "list", "--division", "nope"])
    assert result.exit_code == EXIT_CODES[NotFound] and "unknown division 'nope'" in result.output


def test_db_upgrade_command_twice(csflows_home: Path) -> None:
    for _ in range(2):
        result = runner.invoke(app, ["db", "upgrade"])
        assert result.exit_code == 0 and "store is up to date" in result.output


def test_serve_without_api_url_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    result = runner.invoke(app, ["serve"])
    assert (
        result.exit_code == EXIT_CODES[ConfigError]
        and "PREFECT_API_URL is not set" in result.output
    )
