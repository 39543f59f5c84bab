"""Landing zones for tests: a local folder and an S3 bucket behind one small helper.

``put`` lands a file (in a folder with the modification time asked for; S3 stamps its own),
``resource`` gives the product's implementation of the port, and ``replayed`` the same
implementation whose listing repeats or orders entries as a recorded listing did (as two
overlapping watch roots would), while reading stays real.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from pharma_pipelines.resources import (
    LandingEntry,
    LandingZone,
    LandingZoneResource,
    S3LandingZoneResource,
)

AN_HOUR_AGO = object()


class ReplayedFolder(LandingZoneResource):
    listing: list[str]

    def entries(self) -> Iterator[LandingEntry]:
        real = {entry.relative_path: entry for entry in super().entries()}
        yield from (real[path] for path in self.listing if path in real)


class ReplayedS3(S3LandingZoneResource):
    listing: list[str]

    def entries(self) -> Iterator[LandingEntry]:
        real = {entry.relative_path: entry for entry in super().entries()}
        yield from (real[path] for path in self.listing if path in real)


class FolderZone:
    kind = "local"

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def put(self, path: str, data: bytes, modified: object = AN_HOUR_AGO) -> None:
        """Land ``data``; ``modified`` a datetime, AN_HOUR_AGO (settled) or None (now)."""
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        when = (
            dt.datetime.now(dt.UTC) - dt.timedelta(hours=1) if modified is AN_HOUR_AGO else modified
        )
        if isinstance(when, dt.datetime):
            stamp = when.timestamp()
            os.utime(target, (stamp, stamp))

    def put_many(self, files: Sequence[tuple[str, bytes]]) -> None:
        for path, data in files:
            self.put(path, data)

    def delete(self, path: str) -> None:
        (self.root / path).unlink()

    def location(self) -> str:
        return str(self.root)

    def resource(self) -> LandingZone:
        return LandingZoneResource(root=str(self.root))

    def replayed(self, listing: Sequence[str]) -> LandingZone:
        return ReplayedFolder(root=str(self.root), listing=list(listing))


class S3Zone:
    kind = "s3"

    def __init__(self, endpoint: str, bucket: str, prefix: str = "landing/") -> None:
        import boto3

        self.endpoint = endpoint
        self.bucket = bucket
        self.prefix = prefix
        self.client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")

    def put(self, path: str, data: bytes, modified: object = AN_HOUR_AGO) -> None:
        # S3 sets LastModified itself; an object is listed only once complete.
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + path, Body=data)

    def put_many(self, files: Sequence[tuple[str, bytes]]) -> None:
        """Store many objects straight in the server's (in-process) store.

        Setting up a backlog is not what the tests judge, and 10,000 HTTP PUTs take some
        40 s on a shared machine; listing and reading them still go through HTTP.
        """
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.s3.models import s3_backends

        backend = s3_backends[DEFAULT_ACCOUNT_ID]["global"]
        for path, data in files:
            backend.put_object(self.bucket, self.prefix + path, data)

    def delete(self, path: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + path)

    def location(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def resource(self) -> LandingZone:
        return S3LandingZoneResource(url=self.location(), endpoint_url=self.endpoint)

    def replayed(self, listing: Sequence[str]) -> LandingZone:
        return ReplayedS3(url=self.location(), endpoint_url=self.endpoint, listing=list(listing))
