"""The landing zone as documents (tables and mails) and their rendering into bytes.

Defects are injected between the two steps: on documents when they concern rows and values,
as byte patches when they concern the encoding, which only exists once text is bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from pharma_pipelines.sample.lims_files import lims_tables
from pharma_pipelines.sample.model import Plant
from pharma_pipelines.sample.outlook_files import Mail, build_mails, render_mail
from pharma_pipelines.sample.sap_files import sap_tables
from pharma_pipelines.sample.tables import Table

MAIL_ENTITY = "outlook/messages"


@dataclass
class Documents:
    stamp: str
    tables: list[Table]
    mails: list[Mail]

    def table(self, path_prefix: str) -> Table:
        return next(table for table in self.tables if table.path.startswith(path_prefix))

    def mail(self, path_suffix: str) -> Mail:
        return next(mail for mail in self.mails if (mail.path or "").endswith(path_suffix))


@dataclass(frozen=True)
class BytePatch:
    """Replace ``old`` at ``offset`` of a rendered file with ``new``."""

    path: str
    offset: int
    old: bytes
    new: bytes


@dataclass(frozen=True)
class RenderedFile:
    path: str
    content: bytes
    entity: str | None


def build_documents(plant: Plant) -> Documents:
    stamp = f"{plant.plan_date:%Y%m%d}"
    return Documents(
        stamp, sap_tables(plant, stamp) + lims_tables(plant, stamp), build_mails(plant)
    )


def render_documents(documents: Documents, patches: list[BytePatch]) -> list[RenderedFile]:
    files = [RenderedFile(table.path, table.render(), table.entity) for table in documents.tables]
    for mail in documents.mails:
        if mail.path is None:
            raise ValueError(f"mail {mail.message_id} has no file name; only nested mails may")
        files.append(RenderedFile(mail.path, render_mail(mail), MAIL_ENTITY))
    by_path = {file.path: file for file in files}
    for patch in patches:
        file = by_path[patch.path]
        by_path[patch.path] = RenderedFile(file.path, _patched(file.content, patch), file.entity)
    return sorted(by_path.values(), key=lambda file: file.path)


def _patched(content: bytes, patch: BytePatch) -> bytes:
    end = patch.offset + len(patch.old)
    if content[patch.offset : end] != patch.old:
        raise ValueError(
            f"{patch.path}: expected {patch.old!r} at byte {patch.offset}, "
            f"found {content[patch.offset : end]!r}"
        )
    return content[: patch.offset] + patch.new + content[end:]
