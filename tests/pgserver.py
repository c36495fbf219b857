"""A throw-away PostgreSQL server for the tests: Debian's ``postgresql`` package, a new cluster in a
temporary folder, listening on a free loopback port, stopped (and removed) when the session ends.

``CHECKER_TEST_POSTGRES`` names a server to use instead (a ``postgresql://`` URL whose user may create
databases).  Where neither that nor the server programs are there, the tests that need PostgreSQL skip
with the reason; ``CHECKER_REQUIRE_POSTGRES=1`` (set by ``.ci/run``) makes that a failure instead.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path


class Unavailable(Exception):
    """No server could be had; the message says why."""


def _bin_dir() -> Path:
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    if not found:
        raise Unavailable("no PostgreSQL server programs (pg_ctl): install Debian's postgresql package")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """One cluster: ``url`` is its superuser's address; :meth:`database` makes a fresh database."""

    def __init__(self) -> None:
        self.bin = _bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="checker-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.user: str | None = None
        if os.geteuid() == 0:  # initdb refuses to run as root: the cluster belongs to the postgres user
            try:
                self.user = pwd.getpwnam("postgres").pw_name
            except KeyError:
                raise Unavailable("running as root and there is no 'postgres' user to own the cluster") from None
            shutil.chown(self.root, self.user)
            self.root.chmod(0o755)
        self.url = f"postgresql://checker@127.0.0.1:{self.port}/postgres"

    def _run(self, *argv: str) -> None:
        cmd = [str(self.bin / argv[0]), *argv[1:]]
        if self.user is not None:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        done = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise Unavailable(f"{argv[0]} failed: {(done.stderr or done.stdout).strip()[-500:]}")

    def start(self) -> Server:
        self._run("initdb", "-D", str(self.data), "-U", "checker", "-A", "trust", "-E", "UTF8", "--no-locale")
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-o", options, "-w", "-t", "60",
                  "start")
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                if time.monotonic() > deadline:
                    raise Unavailable("the server started but does not accept connections") from None
                time.sleep(0.2)

    def database(self) -> str:
        """A new, empty database; its URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url.rsplit("/", 1)[0] + "/" + name

    def stop(self) -> None:
        with contextlib.suppress(Unavailable):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


class Given:
    """A server someone else runs (``CHECKER_TEST_POSTGRES``)."""

    def __init__(self, url: str):
        self.url = url

    def database(self) -> str:
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        base, _sep, _db = self.url.rpartition("/")
        return base + "/" + name

    def stop(self) -> None:
        pass


def server() -> Server | Given:
    """The tests' server: the given one, else a new cluster (raises :class:`Unavailable` with the reason)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise Unavailable("psycopg is not installed (pip install -e '.[test]')") from None
    given = os.environ.get("CHECKER_TEST_POSTGRES")
    if given:
        return Given(given)
    return Server().start()
