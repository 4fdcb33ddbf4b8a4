"""`csflows policy assumptions`: every value the seeds do not give, and why it was chosen."""

from __future__ import annotations

import typer

from cli.output import emit_json
from csflows.assumptions import all_assumptions

app = typer.Typer(no_args_is_help=True, help="The business's policy in config/.")


@app.command("assumptions")
def assumptions(
    as_json: bool = typer.Option(False, "--json", help="a list of {file, key, value, why}"),
) -> None:
    """List every value and wording the seeds do not give: file, key, value, why."""
    found = all_assumptions()
    if as_json:
        emit_json([a.model_dump(mode="json") for a in found])
        return
    for a in found:
        typer.echo(f"{a.file}: {a.key} = {a.value!r}\n    why: {a.why}")
    typer.echo(f"\n{len(found)} assumptions to confirm or change.")
