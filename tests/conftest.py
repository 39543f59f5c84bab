"""Shared test set-up: where the shared material is, and servers that must not skip in CI."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED = PROJECT_ROOT.parent / "shared"
REALDATA = SHARED / "realdata"
CASES = SHARED / "cases"
BENCH = SHARED / "bench-instances"
SAMPLE_LANDING = PROJECT_ROOT / "examples" / "landing"
BROKEN_LANDING = PROJECT_ROOT / "tests" / "fixtures" / "landing_broken"


def servers_required() -> bool:
    """In CI a missing server is a failure, not a skip."""
    return os.environ.get("PHARMA_REQUIRE_SERVERS") == "1"


def skip_or_fail(reason: str) -> None:
    if servers_required():
        pytest.fail(f"{reason} (PHARMA_REQUIRE_SERVERS=1: this test must run here)")
    pytest.skip(reason)


def case_dir(name: str) -> Path:
    folder = CASES / name
    if not folder.is_dir():
        pytest.skip(f"shared case {name} is not available at {folder}")
    return folder


@pytest.fixture
def realdata() -> Path:
    if not REALDATA.is_dir():
        pytest.skip(f"real exports are not available at {REALDATA}")
    return REALDATA


@pytest.fixture(scope="session")
def compiled_search() -> float:
    """Compile the schedule search once per session, so no test pays for it inside a time limit."""
    from pharma_pipelines.scheduling.search import warm_up

    return warm_up()


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """A local S3-compatible server (moto, in this process) on 127.0.0.1; its endpoint URL.

    Started here, so the only reason to skip is moto missing, and in CI that fails.
    """
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as error:
        skip_or_fail(f"moto[server] is not installed ({error}); uv sync installs it")
        raise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_endpoint(s3_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The local server's endpoint, with dummy credentials and no way out to AWS.

    Every client (ours, and any built without an endpoint) goes to the local server, and a
    name lookup of any host but the loopback fails, so no request can reach amazonaws.com.
    """
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local-test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local-test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_server)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    resolve = socket.getaddrinfo

    def loopback_only(host, *args, **kwargs):
        if host not in LOOPBACK_HOSTS:
            raise OSError(f"tests marked s3 talk to 127.0.0.1 only, not to {host!r}")
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)
    return s3_server


@pytest.fixture
def s3_bucket(s3_endpoint: str) -> str:
    """A new, empty bucket on the local server for one test."""
    import boto3

    name = "landing-" + uuid.uuid4().hex[:20]
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(Bucket=name)
    return name
