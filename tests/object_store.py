"""A real S3-API server for the tests: moto's standalone server in a child process on a free
loopback port, with one bucket. Each test keeps its objects under a prefix of its own.

Without moto the S3 tests are skipped on a developer's machine and fail under ``CI=true``.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.server import free_port

BUCKET = "motcua-test"
# moto checks no signature, but boto3 signs every request and needs something to sign with.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "motcua-test",
    "AWS_SECRET_ACCESS_KEY": "motcua-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@dataclass(frozen=True)
class ObjectStoreServer:
    endpoint: str
    bucket: str

    def fresh_url(self) -> str:
        """An ``s3://`` URL under a prefix no other test uses."""
        return f"s3://{self.bucket}/t-{uuid.uuid4().hex[:12]}"

    def client(self) -> Any:
        import boto3

        return boto3.session.Session().client("s3", endpoint_url=self.endpoint)


def run_object_store_server() -> Iterator[ObjectStoreServer]:
    """Start moto's server, make the bucket, stop it afterwards; the AWS_* credentials are set
    in this process's environment meanwhile (child servers inherit them)."""
    if importlib.util.find_spec("moto") is None:
        message = "moto[server] is needed for the object-storage tests: pip install -e '.[dev]'"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    with pytest.MonkeyPatch.context() as env:
        for name, value in CREDENTIALS.items():
            env.setenv(name, value)
        env.delenv("AWS_ENDPOINT_URL", raising=False)
        env.delenv("AWS_PROFILE", raising=False)
        try:
            _wait_until_up(process, endpoint)
            server = ObjectStoreServer(endpoint, BUCKET)
            server.client().create_bucket(Bucket=BUCKET)
            yield server
        finally:
            process.terminate()
            process.wait(timeout=10)


def _wait_until_up(process: subprocess.Popen[bytes], endpoint: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto.server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):  # noqa: S310 - loopback
                return
        except urllib.error.HTTPError:
            return  # an answer, whatever it says: the server is up
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("moto.server did not answer in time")
