"""A real ``motcua serve`` process on a free loopback port, for end-to-end, crash and load runs."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def motcua_env(data_dir: Path, database_url: str | None = None, **extra: str) -> dict[str, str]:
    env = {**os.environ, "MOTCUA_DATA_DIR": str(data_dir), "MOTCUA_LOG_LEVEL": "WARNING", **extra}
    env.pop("MOTCUA_DATABASE_URL", None)
    if database_url:
        env["MOTCUA_DATABASE_URL"] = database_url
    return env


def motcua(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "motcua.cli", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )


class ServerProcess:
    """``motcua serve`` in a child process that can be stopped politely or killed outright."""

    def __init__(self, env: dict[str, str], port: int | None = None, workers: int = 1) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {"MOTCUA_PUBLIC_URL": self.url, **env}
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None
        # What the server says (warnings and up) goes to a file a failing test can quote.
        self.log = Path(self.env.get("MOTCUA_DATA_DIR", ".")) / f"serve-{self.port}.log"

    def start(self, timeout: float = 60) -> ServerProcess:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "motcua.cli",
                    "serve",
                    "--port",
                    str(self.port),
                    "--workers",
                    str(self.workers),
                ],
                env=self.env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"motcua serve exited with {self.process.returncode}: {self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=1) as response:  # noqa: S310 - loopback
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"motcua serve did not become healthy in time: {self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        """The last lines the server wrote, to show beside a failure."""
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def kill(self) -> None:
        """SIGKILL the whole process group: no shutdown hook, no rollback, like a power cut."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
