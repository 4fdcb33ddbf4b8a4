"""A real IMAP server for tests: Dovecot (Debian's dovecot-imapd) on a free 127.0.0.1 port, with
its own configuration, users (passwd-file) and maildirs in a temporary folder; no TLS."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

from imapclient import IMAPClient

from tests.support.servers import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"

_CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = {uid}
first_valid_gid = {gid}
mail_uid = {uid}
mail_gid = {gid}
mail_location = maildir:{root}/mail/%n
{login_user}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%n
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0600
  }}
  unix_listener stats-writer {{
    mode = 0600
  }}
}}
"""


class DovecotServer:
    """`start(users)` then `.env(user)` / `.append(user, message)`; `stop()` ends the server."""

    def __init__(self, root: Path | None = None) -> None:
        # Under /tmp, not pytest's 0700 tmp_path, so that an unprivileged mail user can reach it.
        self.root = root or Path(tempfile.mkdtemp(prefix="csflows-dovecot-"))
        self.root.chmod(0o711)
        self.host = "127.0.0.1"
        self.port = free_port()
        self.passwords: dict[str, str] = {}
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, users: dict[str, str] | None = None) -> DovecotServer:
        """Start with `users` (name: password); with none, restart with the same users and mail."""
        self.passwords = dict(users) if users is not None else self.passwords
        users = self.passwords
        for folder in ("run", "state", "mail"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        (self.root / "passwd").write_text(
            "".join(f"{user}:{{PLAIN}}{password}::::::\n" for user, password in users.items())
        )
        uid, gid = _mail_user()
        (self.root / "mail").chmod(0o700)
        os.chown(self.root / "mail", uid, gid)
        # Unprivileged runs need the login processes to run as this user too.
        login_user = _services(privileged=os.getuid() == 0)
        config = self.root / "dovecot.conf"
        config.write_text(
            _CONFIG.format(root=self.root, uid=uid, gid=gid, port=self.port, login_user=login_user)
        )
        self._process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._wait_until_listening()
        return self

    def _wait_until_listening(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                err = self._process.stderr.read().decode() if self._process.stderr else ""
                log = (
                    (self.root / "dovecot.log").read_text()
                    if (self.root / "dovecot.log").exists()
                    else ""
                )
                raise RuntimeError(f"dovecot exited: {err}\n{log}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as s:
                    if s.recv(200).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not listen on {self.host}:{self.port}")

    def stop(self, keep_mail: bool = False) -> None:
        """Stop the server; its folder (mail, UIDs) is removed unless `keep_mail` (to restart)."""
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None
        if not keep_mail:
            shutil.rmtree(self.root, ignore_errors=True)

    def client(self, user: str) -> IMAPClient:
        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=30)
        client.login(user, self.passwords[user])
        return client

    def append(self, user: str, message: EmailMessage | bytes, folder: str = "INBOX") -> None:
        """Put a message in `user`'s folder with IMAP APPEND."""
        raw = message if isinstance(message, bytes) else message.as_bytes()
        with self.client(user) as client:
            client.append(folder, raw)

    def env(self, user: str) -> dict[str, str]:
        """Environment that points an ImapInbox block at `user`'s mailbox."""
        return {
            "HOST": self.host,
            "PORT": str(self.port),
            "TLS": "false",
            "USERNAME": user,
            "PASSWORD": self.passwords[user],
            "FOLDER": "INBOX",
        }


def _services(privileged: bool) -> str:
    """Dovecot's own processes run as this user, so they can read the temporary folder; as
    root, the login processes keep Debian's unprivileged dovenull in a chroot."""
    user = _current_user()
    lines = f"default_internal_user = {user}\n"
    if not privileged:
        lines += f"default_login_user = {user}\nservice imap-login {{\n  chroot =\n}}\n"
    return lines


def _mail_user() -> tuple[int, int]:
    """The current user's ids; as root (CI), the unprivileged `nobody`: Dovecot refuses uid 0."""
    if os.getuid() != 0:
        return os.getuid(), os.getgid()
    import pwd

    nobody = pwd.getpwnam("nobody")
    return nobody.pw_uid, nobody.pw_gid


def _current_user() -> str:
    import pwd

    return pwd.getpwuid(os.getuid()).pw_name
