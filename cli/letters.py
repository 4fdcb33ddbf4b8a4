"""`csflows letters preview [NAME]`: every letter as its recipient reads it, rendered with the
team's own config and a made-up customer (cli.letter_samples)."""

from __future__ import annotations

import typer

from cli.letter_samples import SAMPLES
from cli.output import emit_json
from csflows import letters

app = typer.Typer(no_args_is_help=True, help="The letters csflows sends, and their wording.")


@app.command("preview")
def preview(
    name: str | None = typer.Argument(
        None, help="one letter, e.g. vetting_approved; all if left out"
    ),
    as_json: bool = typer.Option(False, "--json", help="name, audience, wording, subject, body"),
) -> None:
    """Render every letter (or NAME) with your config and a made-up customer: edit config/, then
    look."""
    previews = letters.preview(SAMPLES, name)
    if as_json:
        emit_json([p.model_dump(mode="json") for p in previews])
        return
    for p in previews:
        typer.echo(f"=== {p.name}  (to: {p.audience}; wording: {p.wording})")
        typer.echo(f"Subject: {p.subject}\n")
        typer.echo(p.body)
