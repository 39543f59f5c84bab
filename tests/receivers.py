"""Local receivers for alert tests: an SMTP server and an HTTP endpoint, both on 127.0.0.1.

Each is started by the test that uses it and records what arrived. Either can be told to
refuse what comes in (the SMTP server with a 451, the HTTP endpoint with a given status)
to test retries; nothing leaves the machine.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


@dataclass
class ReceivedMail:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class SmtpReceiver:
    """What the local SMTP server accepted, and how many mails it should still refuse."""

    host: str
    port: int
    mails: list[ReceivedMail] = field(default_factory=list)
    refuse_next: int = 0
    logins: list[tuple[str, str]] = field(default_factory=list)
    refused: int = 0
    refuse_recipients: set[str] = field(default_factory=set)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list
    ) -> str:
        if address in self.refuse_recipients:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_next > 0:
            self.refuse_next -= 1
            self.refused += 1
            return "451 4.3.0 mailbox busy, try again later"
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.mails.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


@contextmanager
def smtp_receiver(
    tls: tuple[Path, Path] | None = None,
    credentials: tuple[str, str] | None = None,
    refuse_recipients: set[str] | None = None,
) -> Iterator[SmtpReceiver]:
    """An SMTP server on loopback; with ``tls`` (cert, key) it offers STARTTLS, with
    ``credentials`` it requires a login (over TLS when ``tls`` is given), and it refuses
    the ``refuse_recipients`` with a 550."""
    receiver = SmtpReceiver(LOOPBACK, free_port(), refuse_recipients=set(refuse_recipients or ()))
    options: dict[str, Any] = {}
    if tls is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(tls[0]), str(tls[1]))
        options.update(tls_context=context, require_starttls=True)
    if credentials is not None:

        def authenticate(server, session, envelope, mechanism, auth_data):
            login = auth_data if isinstance(auth_data, LoginPassword) else None
            given = (login.login.decode(), login.password.decode()) if login else ("", "")
            receiver.logins.append(given)
            # handled=False: the server answers a refusal with its 535 itself.
            return AuthResult(success=given == credentials, handled=False)

        options.update(
            authenticator=authenticate,
            auth_required=True,
            auth_require_tls=tls is not None,
        )
    controller = Controller(receiver, hostname=LOOPBACK, port=receiver.port, **options)
    controller.start()
    try:
        yield receiver
    finally:
        controller.stop()


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (and localhost) signed by itself, with its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pharma-pipelines test relay")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address(LOOPBACK)), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "relay.pem", folder / "relay.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class HttpRequest:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpReceiver:
    """What the local HTTP endpoint received; ``statuses`` are answered first, then 200."""

    url: str
    statuses: list[int] = field(default_factory=list)
    requests: list[HttpRequest] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)

    def accepted(self) -> list[HttpRequest]:
        return [r for r, status in zip(self.requests, self.answers, strict=True) if status < 300]


@contextmanager
def http_receiver(statuses: list[int] | None = None) -> Iterator[HttpReceiver]:
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with lock:
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                receiver.requests.append(HttpRequest(self.path, dict(self.headers), body))
                receiver.answers.append(status)
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if status < 300 else b"not now")

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
    receiver = HttpReceiver(
        url=f"http://{LOOPBACK}:{server.server_address[1]}/hooks/quality",
        statuses=list(statuses or []),
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
