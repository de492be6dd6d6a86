"""Ready packages: one tar per dataset version and format choice, for training teams to fetch whole.

A package holds the chosen formats (`chat`, the default, is the OpenAI fine-tuning files alone), the
manifest, the dataset card and a SHA256SUMS file, packed deterministically (sorted members, zero times
and owners) and streamed to disk, so the same version always gives the same bytes whatever its size.
Packages are create-only: rebuilding an identical package is a no-op, and a package that would differ
is refused; a change needs a new version.
"""

from __future__ import annotations

import io
import os
import tarfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tasks.export.format_names import CHAT, RECORDS
from tasks.export.publish import MANIFEST, encode_manifest
from tasks.shards import sha256_file


class PackageExistsError(RuntimeError):
    """A package of this name exists with other bytes: publish a new dataset version instead."""


def package_name(manifest: dict[str, Any], formats: Sequence[str]) -> str:
    return f"{manifest['dataset']}-v{manifest['version']}-{'+'.join(formats)}.tar"


def _folder(manifest: dict[str, Any], fmt: str) -> dict[str, Any]:
    """The manifest's per-split listing of a package format's files."""
    if fmt == RECORDS:
        return dict(manifest["splits"])
    return dict(manifest["formats"]["openai" if fmt == CHAT else fmt])


def package_entries(manifest: dict[str, Any], formats: Sequence[str]) -> list[dict[str, Any]]:
    """The manifest entries (path, sha256) of every file the package holds besides the manifest."""
    entries = {
        f["path"]: f for fmt in formats for split in _folder(manifest, fmt).values() for f in split["files"]
    }
    entries |= {plot["path"]: plot for plot in manifest.get("plots", [])}
    if manifest.get("card"):
        entries[manifest["card"]["path"]] = manifest["card"]
    return [entries[path] for path in sorted(entries)]


def pack(
    manifest: dict[str, Any], locate: Callable[[str], Path], formats: Sequence[str], destination: Path
) -> Path:
    """Write the package of a published version whose files `locate(path)` finds on local disk.

    Every member is checked against the manifest's sha256 before it goes in.
    """
    entries = package_entries(manifest, formats)
    for entry in entries:
        if sha256_file(locate(entry["path"])) != entry["sha256"]:
            raise ValueError(f"{entry['path']} does not match the manifest of v{manifest['version']}")
    manifest_bytes = encode_manifest(manifest)
    sums = "".join(f"{e['sha256']}  {e['path']}\n" for e in entries).encode()
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(destination, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for entry in entries:
            path = locate(entry["path"])
            with path.open("rb") as handle:
                archive.addfile(_info(entry["path"], path.stat().st_size), handle)
        archive.addfile(_info(MANIFEST, len(manifest_bytes)), io.BytesIO(manifest_bytes))
        archive.addfile(_info("SHA256SUMS", len(sums)), io.BytesIO(sums))
    return destination


def _info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, 0, 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def place_package(built: Path, target: Path) -> Path:
    """Move a built package to `target` create-only; an identical one already there is kept."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(built, target)
    except FileExistsError:
        if sha256_file(target) != sha256_file(built):
            raise PackageExistsError(
                f"{target} exists with other contents; packages are never modified: publish a new version"
            ) from None
    finally:
        built.unlink()
    return target
