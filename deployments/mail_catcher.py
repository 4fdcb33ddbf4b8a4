"""Where the quick start's mail goes, saved on its Prefect server for every process to find.

Without a mail server of the team's, scripts/start keeps outgoing mail in a local catcher. The
served deployments learn its port from the environment; a command run in another terminal
(`csflows triage`, with only PREFECT_API_URL) finds it through the SMTP block `default` saved
here. A block the team saved with its own mail server is kept, and then no catcher is needed.

`python -m deployments.mail_catcher PORT [--demo]`: exit 0 when the catcher is to run, 3 when
the team's saved block sends the mail (scripts/start then starts no catcher).
"""

from __future__ import annotations

import os
import sys
from typing import Literal

from blocks import SmtpServer

BLOCK = "default"  # the name `resolve(SmtpServer)` loads
CATCHER_HOST = "127.0.0.1"
TEAMS_BLOCK = 3  # exit status: the team's saved block sends the mail

Decision = Literal["saved", "teams"]


def is_a_catcher(smtp: SmtpServer) -> bool:
    """A block the quick start saved: this machine, no login, no TLS, not the SMTP port 25 of a
    local mail relay (the catcher never listens there)."""
    local = smtp.host in {CATCHER_HOST, "localhost", "::1"}
    return local and not smtp.username and not (smtp.ssl or smtp.starttls) and smtp.port != 25


def saved_block(name: str = BLOCK) -> SmtpServer | None:
    """The SMTP block saved as `name` on the Prefect server, or None."""
    try:
        return SmtpServer.load(name, validate=False)  # type: ignore[return-value]
    except ValueError:  # Prefect: no block document of that name
        return None


def keep_catcher_block(
    port: int, environ: dict[str, str] | None = None, demo: bool = False, name: str = BLOCK
) -> Decision:
    """Save the catcher at `port` as the SMTP block `name` ("saved"), unless a block the team
    saved with its own mail server is there ("teams"). The demo world's mail always stays here:
    `demo` replaces any block. The sender (CSFLOWS_MAIL_FROM) is the environment's, as serve's."""
    current = saved_block(name)
    if current is not None and not demo and not is_a_catcher(current):
        return "teams"
    environ = dict(os.environ if environ is None else environ)
    sender = SmtpServer.env_values(environ).get("mail_from")
    catcher = SmtpServer(host=CATCHER_HOST, port=port, starttls=False, ssl=False)
    if sender:
        catcher.mail_from = sender
    catcher.save(name, overwrite=True)
    return "saved"


def main(argv: list[str], name: str = BLOCK) -> int:
    """Save the catcher block for scripts/start and say where mail goes (no secret is printed)."""
    port, demo = int(argv[0]), "--demo" in argv[1:]
    if keep_catcher_block(port, demo=demo, name=name) == "teams":
        team = saved_block(name)
        where = f"{team.host}:{team.port}" if team else "?"
        print(f"outgoing mail: the saved SMTP block '{name}' ({where})", file=sys.stderr)
        return TEAMS_BLOCK
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
