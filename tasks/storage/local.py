"""Dataset versions in a local (or network) folder: staged in a claimed hidden folder, checked, made
durable, and published by one atomic rename.

Readers see a whole version or none; `os.rename` onto an existing (never empty) version folder
fails, which is how a run learns it lost the number to another. A staging folder belongs to the run
holding the lock on its claim (see `tasks.storage.claim`), so no other run, container or host can
remove it while that run lives; and before the rename every staged file is checked against the
manifest and fsynced, so a version that was tampered with while staged, or would not survive a
power cut, is never published.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from tasks.export.publish import MANIFEST, PlannedFile, listed_files
from tasks.export.ready_packages import place_package
from tasks.shards import read_lines
from tasks.storage.claim import StagingClaim, fsync_dir, remove_abandoned
from tasks.version_checks import check_files
from tasks.version_reader import FolderReader

STAGING_PREFIX = ".staging-"


class StagingCorruptError(RuntimeError):
    """The staged files differ from what the manifest lists; nothing was published."""


class LocalVersionStore:
    """`{root}/{dataset}/v{N}/` on this machine's disk or a mounted network folder."""

    def __init__(self, dataset_dir: Path) -> None:
        self.dataset_dir = dataset_dir
        self.dataset_dir.mkdir(parents=True, exist_ok=True)
        remove_abandoned(dataset_dir, STAGING_PREFIX)
        self._claims: dict[str, StagingClaim] = {}
        self._planned: dict[str, dict[str, dict[str, Any]]] = {}

    def recover(self) -> list[int]:
        """Nothing to finish: a version appears by one atomic rename, and the staging of runs that
        died was removed when the store opened."""
        return []

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

    def stage(self, content_id: str, files: Sequence[PlannedFile]) -> None:
        self.discard(content_id)
        claim = self._claims[content_id] = StagingClaim.take(
            self.dataset_dir, f"{STAGING_PREFIX}{content_id[:16]}-"
        )
        self._planned[content_id] = {f.path: f.entry().model_dump() for f in files}
        try:
            for planned in files:
                destination = claim.staging / planned.path
                destination.parent.mkdir(parents=True, exist_ok=True)
                with destination.open("xb") as out:
                    for line in read_lines(planned.shard):  # verifies the shard's sha256 as it copies
                        out.write(line)
                    out.flush()
                    os.fsync(out.fileno())
        except BaseException:
            self.discard(content_id)
            raise

    def commit(self, content_id: str, number: int, manifest: bytes) -> bool:
        claim = self._claims[content_id]
        try:
            _write_durably(claim.staging / MANIFEST, manifest)
            self._check_staged(claim.staging, orjson.loads(manifest), self._planned[content_id])
            for folder in sorted({p.parent for p in claim.staging.rglob("*")}, reverse=True):
                fsync_dir(folder)  # deepest first, so every name is durable before its parent's
            claim.check_held()
            os.rename(claim.staging, self.dataset_dir / f"v{number}")
        except OSError as error:
            if error.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                self.discard(content_id)
                raise
            return False
        except BaseException:
            self.discard(content_id)
            raise
        fsync_dir(self.dataset_dir)
        self._claims.pop(content_id).release()
        return True

    def _check_staged(
        self, staging: Path, manifest: dict[str, Any], planned: dict[str, dict[str, Any]]
    ) -> None:
        """Every file the manifest (and this run's plan) lists is staged with its sha256; nothing else is."""
        expected = planned | {entry["path"]: entry for entry in listed_files(manifest)}
        problems = [
            f"{path}: the manifest's sha256 {expected[path]['sha256'][:12]}… is not the staged shard's"
            for path in sorted(planned)
            if expected[path]["sha256"] != planned[path]["sha256"]
        ]
        problems += check_files(FolderReader(staging), expected.values())[0]
        if problems:
            raise StagingCorruptError(
                f"staging folder {staging} does not hold what the manifest lists, so it was not published: "
                + "; ".join(problems[:10])
                + ". Something else wrote to or removed files in the output folder; find it and run again"
            )

    def discard(self, content_id: str) -> None:
        claim = self._claims.pop(content_id, None)
        if claim is not None:
            shutil.rmtree(claim.staging, ignore_errors=True)
            claim.release()

    def put_package(self, built: Path, name: str) -> str:
        return str(place_package(built, self.dataset_dir / "packages" / name))

    def uri(self, number: int) -> str:
        return str(self.dataset_dir / f"v{number}")


def _write_durably(path: Path, body: bytes) -> None:
    with path.open("wb") as out:
        out.write(body)
        out.flush()
        os.fsync(out.fileno())
