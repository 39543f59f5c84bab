"""What a notification about a failed check says, as an e-mail and as a webhook's JSON body.

Both carry the same facts: asset, check, severity, what was measured against what was
expected, how many rows failed, the first failing rows, the run, and links to the check and
the run in the Dagster UI when a base URL is configured. The webhook body also carries an
``id`` (the evaluation's storage id) that stays the same if a notification is ever sent
again, so a receiver can drop a repeat.
"""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from pharma_pipelines.alerting.model import FIRST_ROWS, CheckFailure

PRODUCT = "pharma-pipelines"
PAYLOAD_SCHEMA = "pharma-pipelines/check-failure/1"


def subject(failure: CheckFailure) -> str:
    return (
        f"[{PRODUCT}] {failure.severity} check failed: {failure.target} "
        f"({failure.failed_of_total} failed)"
    )


def text_body(failure: CheckFailure) -> str:
    facts = [
        ("Asset", failure.asset),
        ("Partition", failure.partition),
        ("Check", failure.check),
        ("Severity", failure.severity),
        ("Measured", failure.measured),
        ("Expected", failure.expected),
        ("Failed", failure.failed_of_total),
        ("Data version", failure.data_version),
        ("Run", failure.run_id),
        ("Evaluated", f"{failure.evaluated_at:%Y-%m-%d %H:%M:%S %Z}"),
        ("Check in the UI", failure.check_url),
        ("Run in the UI", failure.run_url),
    ]
    width = max(len(label) for label, _ in facts) + 2
    lines = [
        f"The asset check {failure.check} on {failure.asset} failed "
        f"with severity {failure.severity}.",
        "",
        *(f"{label + ':':<{width}}{value}" for label, value in facts if value is not None),
    ]
    if failure.description:
        lines += ["", failure.description]
    shown = failure.failing_rows.first(FIRST_ROWS)
    lines += ["", f"First failing rows ({_rows_note(failure, len(shown.rows))}):"]
    lines += ["", shown.as_markdown()]
    return "\n".join(lines) + "\n"


def email_message(failure: CheckFailure, sender: str, recipients: Sequence[str]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject(failure)
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1] or None)
    if failure.storage_id is not None:
        message["X-Pharma-Check-Evaluation"] = str(failure.storage_id)
    message.set_content(text_body(failure))
    return message


def webhook_payload(failure: CheckFailure) -> dict[str, Any]:
    shown = failure.failing_rows.first(FIRST_ROWS)
    return {
        "schema": PAYLOAD_SCHEMA,
        "id": failure.storage_id,
        "summary": subject(failure),
        "asset": failure.asset,
        "partition": failure.partition,
        "check": failure.check,
        "severity": failure.severity,
        "description": failure.description,
        "measured": failure.measured,
        "expected": failure.expected,
        "failed_count": failure.failed_count,
        "total": failure.total,
        "failing_rows": shown.as_records(),
        "data_version": failure.data_version,
        "run_id": failure.run_id,
        "evaluated_at": failure.evaluated_at.isoformat(),
        "check_url": failure.check_url,
        "run_url": failure.run_url,
    }


def _rows_note(failure: CheckFailure, shown: int) -> str:
    if failure.failed_count is not None and failure.failed_count > shown:
        return f"{shown} of {failure.failed_count}"
    return str(shown)
