"""Staging claims: whether a staging folder belongs to a live run is decided by a lock, never a pid.

The rule. A run creates `{staging}.claim` (create-only; it holds host, boot id, pid and pid
namespace, for the operator's eyes) and keeps an exclusive `flock` on it from before its staging
folder exists until after the folder is renamed into a version. Another run removes a staging folder
only while it holds that same lock, and it can take the lock only once the owner is gone: the kernel
drops a `flock` when its process dies, whatever PID namespace or container either run is in, and on
a network folder (NFS maps `flock` to byte-range locks) the server drops it when the client's lease
lapses. A pid says nothing across namespaces or hosts, so nothing here decides by one; a staging
folder without a claim (left by older code) is never removed automatically.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import shutil
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path

import orjson

CLAIM_SUFFIX = ".claim"
_NEW = ".new"  # a claim being written: locked before it gets its final name
_NO_LOCKS = (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL)

logger = logging.getLogger(__name__)


class ClaimError(RuntimeError):
    """The folder cannot hold locks, or this run's claim was taken away: publishing is not safe."""


def _identity() -> bytes:
    def read(path: str) -> str:
        try:
            return Path(path).read_text().strip() if path.startswith("/proc/sys") else os.readlink(path)
        except OSError:
            return "unknown"

    body = {
        "host": socket.gethostname(),
        "boot_id": read("/proc/sys/kernel/random/boot_id"),
        "pid": os.getpid(),
        "pid_namespace": read("/proc/self/ns/pid"),
    }
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS) + b"\n"


def _try_lock(fd: int, where: Path) -> bool:
    """Take the exclusive lock without waiting; False if another open file holds it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as error:
        if error.errno in _NO_LOCKS:
            raise ClaimError(
                f"{where.parent} does not support file locks (flock: {error.strerror}); without them a "
                "run cannot tell a live staging folder from an abandoned one. Publish to a local or NFS "
                "folder with locking, or to S3"
            ) from error
        raise
    return True


def _same_file(fd: int, path: Path) -> bool:
    try:
        on_disk = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (on_disk.st_dev, on_disk.st_ino)


def fsync_dir(path: Path) -> None:
    """Make a folder's entries (new, renamed or removed names) durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass
class StagingClaim:
    """This run's claim on one staging folder; the lock lives as long as `fd` stays open."""

    staging: Path
    fd: int

    @property
    def path(self) -> Path:
        return self.staging.with_name(self.staging.name + CLAIM_SUFFIX)

    @classmethod
    def take(cls, parent: Path, prefix: str, attempts: int = 3) -> StagingClaim:
        """Claim a fresh staging folder name under `parent`; the folder itself is not created."""
        for _ in range(attempts):
            staging = parent / f"{prefix}{uuid.uuid4().hex}"
            fd = _locked_claim(staging)
            if fd is not None:
                return cls(staging=staging, fd=fd)
        raise ClaimError(f"could not claim a staging folder in {parent} in {attempts} attempts; run again")

    def check_held(self) -> None:
        """Raise unless the claim file on disk is still the one this run locked."""
        if not _same_file(self.fd, self.path):
            raise ClaimError(
                f"the claim {self.path} of this run's staging folder was removed or replaced by another "
                "process; nothing was published. Check for older pipeline versions or manual clean-ups "
                "touching the output folder, then run again"
            )

    def release(self) -> None:
        """Give the claim up: its folder has been published or removed."""
        if _same_file(self.fd, self.path):
            self.path.unlink()
        os.close(self.fd)


def _locked_claim(staging: Path) -> int | None:
    """Write and lock `{staging}.claim.new`, then link it as `{staging}.claim`: linking a file that is
    already locked means no other run ever sees the claim unlocked. None if a clean-up removed the
    new file in the instant before it was locked (that run saw an unlocked, so abandoned, file)."""
    new = staging.with_name(staging.name + CLAIM_SUFFIX + _NEW)
    fd = os.open(new, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        if _try_lock(fd, new) and _same_file(fd, new):
            os.write(fd, _identity())
            os.fsync(fd)
            os.link(new, staging.with_name(staging.name + CLAIM_SUFFIX))
            new.unlink()
            fsync_dir(staging.parent)
            return fd
    except BaseException:
        os.close(fd)
        new.unlink(missing_ok=True)
        raise
    os.close(fd)
    return None


def remove_abandoned(parent: Path, prefix: str) -> list[Path]:
    """Remove the staging folders under `parent` whose claim lock can be taken; returns them."""
    removed = []
    for claim in sorted(parent.glob(f"{prefix}*{CLAIM_SUFFIX}*")):
        name = claim.name.removesuffix(_NEW).removesuffix(CLAIM_SUFFIX)
        if claim.name in (name + CLAIM_SUFFIX, name + CLAIM_SUFFIX + _NEW) and _remove_if_unlocked(
            claim, parent / name
        ):
            removed.append(parent / name)
    _warn_unclaimed(parent, prefix)
    return removed


def _remove_if_unlocked(claim: Path, staging: Path) -> bool:
    try:
        fd = os.open(claim, os.O_RDWR)
    except FileNotFoundError:  # published or removed since the listing
        return False
    try:
        if not _try_lock(fd, claim) or not _same_file(fd, claim):
            return False
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(staging)
        claim.unlink()  # last: a clean-up cut short leaves the claim, so the next run finishes it
        fsync_dir(claim.parent)
        return True
    finally:
        os.close(fd)


def _warn_unclaimed(parent: Path, prefix: str) -> None:
    for staging in parent.glob(f"{prefix}*"):
        if staging.is_dir() and not staging.with_name(staging.name + CLAIM_SUFFIX).exists():
            logger.warning(
                "%s has no claim file (older pipeline code made it); it is left alone. Remove it by hand "
                "once no run of that code is writing to it",
                staging,
            )
