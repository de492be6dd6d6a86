"""Discovery: every entry under `--sources` looked at without following it out of that folder.

A sources folder is untrusted input: a `.txt` link to `/proc/self/environ` would put the
environment's secrets into passages, and a FIFO blocks the reader that opens it. So discovery
resolves every link before anything is read; a link that leads outside the folder, a dangling or
looping link, a FIFO, socket or device is refused with its reason (a quarantine item, never read),
and a regular file whose suffix no reader takes is listed as skipped. Readers find a document's
file again with `source_path`, which checks the same rules at read time, as a link may have changed
since discovery. Names are stored escaped (`file_names.display_name`), whatever their bytes.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from tasks.records import QuarantineItem
from tasks.shards import sha256_file
from tasks.sourcing.file_names import display_name, filesystem_name
from tasks.sourcing.passages import Document, UnreadableDocument

OUTSIDE = "a link that leads outside the sources folder; not read"
DANGLING = "a dangling link (its target does not exist); not read"
_SPECIAL = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


class Skipped(BaseModel):
    """A file discovery left alone on purpose, and why (no reader takes its suffix)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    reason: str


@dataclass(frozen=True)
class Discovery:
    """What a sources folder holds: documents to read, entries refused, files skipped."""

    documents: list[Document]
    refused: list[QuarantineItem]
    skipped: list[Skipped]


def refusal(path: str, reason: str) -> QuarantineItem:
    """The quarantine item for an entry of the sources folder that is not read at all."""
    ident = hashlib.sha256(f"{path}\x00{reason}".encode()).hexdigest()[:24]
    return QuarantineItem(id=ident, stage="sourcing", kind="document", reasons=(reason,), raw=path)


def _entries(root: Path) -> Iterator[tuple[Path, OSError | None]]:
    """Every non-folder entry under `root` (links to folders included, not entered); a folder that
    cannot be listed comes out with its error."""
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as scan:
                entries = list(scan)
        except OSError as error:
            yield folder, error
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                pending.append(Path(entry.path))
            else:
                yield Path(entry.path), None


def os_reason(error: OSError) -> str:
    """An OS error's cause without the file name it carries (an absolute path of this machine)."""
    return error.strerror or type(error).__name__


def _target(root: Path, path: Path) -> tuple[Path, os.stat_result] | str:
    """The file an entry stands for, resolved and inside `root`, with its stat; or why it is refused."""
    link = False
    try:
        link = stat.S_ISLNK(os.lstat(path).st_mode)
        resolved = path.resolve(strict=True)
        if not resolved.is_relative_to(root):
            return OUTSIDE if link else "a path that leads outside the sources folder; not read"
        info = os.stat(resolved)
    except FileNotFoundError as error:
        return DANGLING if link else f"could not look at the entry ({os_reason(error)})"
    except RuntimeError:  # pathlib's word for a loop of links
        return "a loop of links; not read"
    except OSError as error:
        return f"a link that cannot be followed ({os_reason(error)}); not read"
    kind = stat.S_IFMT(info.st_mode)
    if kind in _SPECIAL:
        return f"{_SPECIAL[kind]}, not a regular file; not read"
    return resolved, info


def entry_path(sources: Path, document_path: str) -> Path:
    """Where a document's entry lies under `sources` (a link itself, not followed, and not checked)."""
    return sources / os.fsdecode(filesystem_name(document_path))


def source_path(sources: Path, document_path: str) -> Path:
    """The regular file inside `sources` a document names, checked again at read time."""
    root = sources.resolve()
    found = _target(root, entry_path(root, document_path))
    if isinstance(found, str):
        raise UnreadableDocument(found)
    if not stat.S_ISREG(found[1].st_mode):
        raise UnreadableDocument("not a regular file; not read")
    return found[0]


def discover(sources: Path, suffixes: Sequence[str]) -> Discovery:
    """Every entry under `sources`: a document when it is a regular file inside the folder with one of
    `suffixes`, else refused (links out, dangling links, special files) or skipped (other suffixes)."""
    root = sources.resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"sources folder {display_name(sources)} does not exist; pass --sources DIR")
    documents: list[Document] = []
    refused: list[QuarantineItem] = []
    skipped: list[Skipped] = []
    for path, error in _entries(root):
        name = display_name(path.relative_to(root)) if path != root else "."
        if error is not None:
            refused.append(refusal(name, f"could not list the folder ({os_reason(error)})"))
            continue
        found = _target(root, path)
        if isinstance(found, str):
            refused.append(refusal(name, found))
        elif stat.S_ISDIR(found[1].st_mode):
            skipped.append(Skipped(path=name, reason="a link to a folder in the sources; read where it lies"))
        elif path.suffix.lower() not in suffixes:
            skipped.append(Skipped(path=name, reason=_no_reader(path.suffix)))
        else:
            try:
                documents.append(Document(path=name, sha256=sha256_file(found[0]), bytes=found[1].st_size))
            except OSError as read_error:
                refused.append(refusal(name, f"could not read the file ({os_reason(read_error)})"))
    return Discovery(
        documents=sorted(documents, key=lambda d: d.path),
        refused=sorted(refused, key=lambda i: i.raw or ""),
        skipped=sorted(skipped, key=lambda s: s.path),
    )


def _no_reader(suffix: str) -> str:
    return (
        f"no reader takes '{display_name(suffix)}' files"
        if suffix
        else "no reader takes files without a suffix"
    )


def skipped_summary(skipped: Sequence[Skipped], listed: int = 200) -> dict[str, object]:
    """What the run's manifest says of skipped files: how many, per reason, and the first `listed`."""
    return {
        "files": len(skipped),
        "by_reason": dict(sorted(Counter(s.reason for s in skipped).items())),
        "paths": [s.path for s in skipped[:listed]],
    }
