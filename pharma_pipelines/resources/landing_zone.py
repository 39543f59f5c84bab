"""The landing zone: where extract files arrive, as a Dagster resource.

Assets and sensors see only ``LandingZone``: list the files (path, size, modification time)
and read one. The local folder is the embedded default; an S3 prefix is the production
implementation of the same port.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from pharma_pipelines.ingestion import DEFAULT_LIMITS, ReadLimits

# Files still being written by the sender; they are picked up once renamed.
PARTIAL_SUFFIXES = (".part", ".tmp", ".partial", ".crdownload", ".filepart")
IGNORED_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


@dataclass(frozen=True)
class LandingEntry:
    relative_path: str
    size_bytes: int
    modified_at: dt.datetime
    link_target: str | None = None

    @property
    def is_link(self) -> bool:
        return self.link_target is not None


def is_complete(relative_path: str) -> bool:
    name = relative_path.rsplit("/", 1)[-1]
    return not (
        name.startswith((".", "~$"))
        or name in IGNORED_NAMES
        or name.lower().endswith(PARTIAL_SUFFIXES)
    )


class LandingZoneResource(dg.ConfigurableResource):
    """A local folder of extract files (the bundled sample zone by default).

    The ``max_*`` fields bound what reading one landed mail may cost (see
    ``ingestion.limits``); a file past them is refused with the reason, not read.
    """

    root: str
    max_mail_bytes: int = DEFAULT_LIMITS.mail_bytes
    max_attachment_bytes: int = DEFAULT_LIMITS.attachment_bytes
    max_inflated_bytes: int = DEFAULT_LIMITS.inflated_bytes
    max_message_depth: int = DEFAULT_LIMITS.message_depth

    def read_limits(self) -> ReadLimits:
        return ReadLimits(
            mail_bytes=self.max_mail_bytes,
            attachment_bytes=self.max_attachment_bytes,
            inflated_bytes=self.max_inflated_bytes,
            message_depth=self.max_message_depth,
        )

    def _root(self) -> Path:
        root = Path(self.root).expanduser().resolve()
        if not root.is_dir():
            raise FileNotFoundError(
                f"landing zone {str(root)!r} is not a folder; set PHARMA_LANDING_ZONE or "
                "--landing to a folder that holds the extract files"
            )
        return root

    def entries(self) -> Iterator[LandingEntry]:
        """Every complete file below the root, in a stable (sorted) order.

        Symbolic links are listed with their target but never read.
        """
        root = self._root()
        for path in sorted(root.rglob("*")):
            if path.is_symlink():
                # Listed but never followed: a link may point outside the landing zone.
                yield LandingEntry(
                    relative_path=path.relative_to(root).as_posix(),
                    size_bytes=0,
                    modified_at=dt.datetime.fromtimestamp(path.lstat().st_mtime, dt.UTC),
                    link_target=os.readlink(path),
                )
                continue
            if not path.is_file():
                continue
            relative = path.relative_to(root).as_posix()
            if any(part.startswith(".") for part in Path(relative).parts[:-1]):
                continue
            if not is_complete(relative):
                continue
            stat = path.stat()
            yield LandingEntry(
                relative_path=relative,
                size_bytes=stat.st_size,
                modified_at=dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC),
            )

    def read(self, relative_path: str) -> bytes:
        root = self._root()
        if (root / relative_path).is_symlink():
            raise ValueError(f"{relative_path!r} is a symbolic link; links are not followed")
        path = (root / relative_path).resolve()
        if root not in path.parents:
            raise ValueError(f"{relative_path!r} lies outside the landing zone {str(root)!r}")
        return path.read_bytes()

    def exists(self, relative_path: str) -> bool:
        return (self._root() / relative_path).is_file()

    def describe(self) -> str:
        return str(self._root())
