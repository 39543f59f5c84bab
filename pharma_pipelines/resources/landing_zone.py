"""The landing zone: where extract files arrive, as a Dagster resource.

Assets and sensors see only the port ``LandingZone``: list the files (path, size,
modification time, a version tag) and read one. ``LandingZoneResource`` (a local folder) is
the embedded default; ``S3LandingZoneResource`` (an S3 prefix, through boto3) is the
production implementation of the same port. ``landing_zone_for`` picks one from the
configured location, so the composition root never spells out which.
"""

from __future__ import annotations

import abc
import datetime as dt
import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar

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
    # What changes when the content may have changed: size and mtime in nanoseconds for a
    # file, the ETag for an S3 object. The sensor compares it, never a clock.
    version: str = ""

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


class LandingZone(dg.ConfigurableResource, abc.ABC):
    """The port: where extract files land. Consumers annotate this, never an implementation.

    The ``max_*`` fields bound what reading one landed mail may cost (see
    ``ingestion.limits``); a file past them is refused with the reason, not read.
    """

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

    # A file only ever appears whole (an S3 PUT); a local file may be caught mid-write.
    writes_are_atomic: ClassVar[bool] = False

    @abc.abstractmethod
    def entries(self) -> Iterator[LandingEntry]:
        """Every complete file, in a stable (sorted) order."""

    @abc.abstractmethod
    def read(self, relative_path: str) -> bytes:
        """The bytes of one listed file."""

    @abc.abstractmethod
    def exists(self, relative_path: str) -> bool:
        """Whether the file is still there."""

    @abc.abstractmethod
    def describe(self) -> str:
        """Where the files are, for logs and metadata."""


class LandingZoneResource(LandingZone):
    """A local folder of extract files (the bundled sample zone by default)."""

    root: str

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
                    version=f"link:{os.readlink(path)}",
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
                version=f"{stat.st_size}:{stat.st_mtime_ns}",
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


@functools.cache
def _s3_client(endpoint_url: str | None, region_name: str | None) -> Any:
    """One client per endpoint and region: building one costs tens of milliseconds, and a
    client is safe to share between threads (it refreshes a task role's credentials)."""
    # Imported here: the local folder, the default, needs no AWS libraries loaded.
    import boto3

    return boto3.session.Session().client("s3", endpoint_url=endpoint_url, region_name=region_name)


def parse_s3_url(url: str) -> tuple[str, str]:
    """``s3://bucket/prefix/`` as (bucket, prefix ending in ``/`` or empty)."""
    if not url.startswith("s3://"):
        raise ValueError(
            f"landing zone URL {url!r} does not start with s3:// (s3://bucket/prefix/)"
        )
    bucket, _, prefix = url.removeprefix("s3://").partition("/")
    if not bucket:
        raise ValueError(f"landing zone URL {url!r} names no bucket (s3://bucket/prefix/)")
    prefix = prefix.strip("/")
    return bucket, f"{prefix}/" if prefix else ""


class S3LandingZoneResource(LandingZone):
    """An S3 prefix of extract files, read through boto3 (production: ``s3://…-landing/landing/``).

    Credentials come from boto3's usual chain (on ECS, the task role); ``endpoint_url``
    points at an S3-compatible server instead of AWS. An object appears in a listing only
    once its upload is complete, so no object is caught half-written.
    """

    url: str
    endpoint_url: str | None = None
    region_name: str | None = None
    writes_are_atomic: ClassVar[bool] = True

    def _client(self) -> Any:
        return _s3_client(self.endpoint_url or None, self.region_name or None)

    def _key(self, relative_path: str) -> str:
        parts = PurePosixPath(relative_path).parts
        if not parts or ".." in parts or relative_path.startswith("/"):
            raise ValueError(f"{relative_path!r} lies outside the landing zone {self.url!r}")
        return parse_s3_url(self.url)[1] + relative_path

    def entries(self) -> Iterator[LandingEntry]:
        """Every complete object below the prefix, in key order (S3 lists keys sorted)."""
        bucket, prefix = parse_s3_url(self.url)
        pages = (
            self._client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        )
        for page in _listing_pages(pages, self.url):
            for item in page.get("Contents", []):
                relative = item["Key"][len(prefix) :]
                # A key ending in "/" is a folder marker made by consoles, not a file.
                if not relative or relative.endswith("/"):
                    continue
                if any(part.startswith(".") for part in PurePosixPath(relative).parts[:-1]):
                    continue
                if not is_complete(relative):
                    continue
                etag = str(item["ETag"]).strip('"')
                yield LandingEntry(
                    relative_path=relative,
                    size_bytes=int(item["Size"]),
                    modified_at=item["LastModified"].astimezone(dt.UTC),
                    version=f"{item['Size']}:{etag}",
                )

    def read(self, relative_path: str) -> bytes:
        bucket, _ = parse_s3_url(self.url)
        response = self._client().get_object(Bucket=bucket, Key=self._key(relative_path))
        return response["Body"].read()

    def exists(self, relative_path: str) -> bool:
        from botocore.exceptions import ClientError

        bucket, _ = parse_s3_url(self.url)
        try:
            self._client().head_object(Bucket=bucket, Key=self._key(relative_path))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def describe(self) -> str:
        return self.url


def _listing_pages(pages: Any, url: str) -> Iterator[dict[str, Any]]:
    """The listing's pages; a missing bucket or a refusal as the OSError a folder gives."""
    from botocore.exceptions import ClientError

    try:
        yield from pages
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        where = f"landing zone {url!r}"
        if code == "NoSuchBucket":
            raise FileNotFoundError(
                f"{where}: the bucket does not exist; set PHARMA_LANDING_ZONE to "
                "s3://<bucket>/<prefix>/ of an existing bucket"
            ) from error
        if code in ("AccessDenied", "AllAccessDisabled", "InvalidAccessKeyId"):
            raise PermissionError(
                f"{where}: listing refused ({code}); the task role needs s3:ListBucket on "
                "the bucket for this prefix and s3:GetObject on its objects"
            ) from error
        raise


def landing_zone_for(location: str, endpoint_url: str | None = None, **limits: int) -> LandingZone:
    """The implementation a configured location needs: ``s3://…`` an S3 prefix, else a folder."""
    if location.startswith("s3://"):
        parse_s3_url(location)
        return S3LandingZoneResource(url=location, endpoint_url=endpoint_url, **limits)
    return LandingZoneResource(root=location, **limits)
