"""Where a piece of evidence came from: the code's commit and the SHA-256 of files."""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

_CHUNK = 1 << 20


@dataclass(frozen=True)
class CodeVersion:
    """The git commit of a checkout, and whether its working tree differs from it."""

    commit: str | None
    dirty: bool
    note: str = ""

    def describe(self) -> str:
        if self.commit is None:
            return f"unknown ({self.note})"
        return self.commit + (" + uncommitted changes" if self.dirty else "")


def code_version(root: Path) -> CodeVersion:
    """The commit checked out at ``root``; a tree with changes (untracked files too) is dirty."""
    try:
        commit = _git(root, "rev-parse", "HEAD")
        changes = _git(root, "status", "--porcelain")
    except FileNotFoundError:
        return CodeVersion(None, False, "git is not installed")
    except subprocess.CalledProcessError as error:
        reason = (error.stderr or "").strip().splitlines()
        return CodeVersion(None, False, reason[0] if reason else f"git exited {error.returncode}")
    return CodeVersion(commit.strip(), bool(changes.strip()))


def _git(root: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return completed.stdout


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
