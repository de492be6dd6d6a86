"""Dataset versions in a local folder: staged in a hidden folder, published by one atomic rename.

Readers see a whole version or none; `os.rename` onto an existing (never empty) version folder
fails, which is how a run learns it lost the number to another.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from tasks.export.publish import MANIFEST, PlannedFile
from tasks.export.ready_packages import place_package
from tasks.shards import read_lines

STAGING_PREFIX = ".staging-"


class LocalVersionStore:
    """`{root}/{dataset}/v{N}/` on this machine's disk."""

    def __init__(self, dataset_dir: Path) -> None:
        self.dataset_dir = dataset_dir
        self.dataset_dir.mkdir(parents=True, exist_ok=True)
        _remove_abandoned_staging(dataset_dir)

    def latest(self) -> tuple[int, dict[str, Any]] | None:
        numbers = sorted(
            (
                int(p.name[1:])
                for p in self.dataset_dir.glob("v*")
                if p.name[1:].isdigit() and (p / MANIFEST).is_file()
            ),
            reverse=True,
        )
        if not numbers:
            return None
        return numbers[0], orjson.loads((self.dataset_dir / f"v{numbers[0]}" / MANIFEST).read_bytes())

    def _staging(self, content_id: str) -> Path:
        return self.dataset_dir / f"{STAGING_PREFIX}{content_id[:16]}-{os.getpid()}"

    def stage(self, content_id: str, files: Sequence[PlannedFile]) -> None:
        staging = self._staging(content_id)
        shutil.rmtree(staging, ignore_errors=True)
        for planned in files:
            destination = staging / planned.path
            destination.parent.mkdir(parents=True, exist_ok=True)
            with destination.open("xb") as out:
                for line in read_lines(planned.shard):  # verifies the shard's sha256 as it copies
                    out.write(line)

    def commit(self, content_id: str, number: int, manifest: bytes) -> bool:
        staging = self._staging(content_id)
        (staging / MANIFEST).write_bytes(manifest)
        try:
            os.rename(staging, self.dataset_dir / f"v{number}")
        except OSError as error:
            if error.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
            return False
        return True

    def discard(self, content_id: str) -> None:
        shutil.rmtree(self._staging(content_id), ignore_errors=True)

    def put_package(self, built: Path, name: str) -> str:
        return str(place_package(built, self.dataset_dir / "packages" / name))

    def uri(self, number: int) -> str:
        return str(self.dataset_dir / f"v{number}")


def _remove_abandoned_staging(dataset_dir: Path) -> None:
    """Staging folders of runs that died (their process is gone) are removed; live ones are left."""
    for staging in dataset_dir.glob(f"{STAGING_PREFIX}*"):
        pid = staging.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(staging, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
