"""Caps that keep one hostile source file (a zip bomb, a 50 MB line) from filling memory.

A file or part of a file over a cap is quarantined with a reason naming the cap and the setting
that raises it, never read whole; the defaults are far above what real books and corpora need.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MIB = 1024 * 1024


class SourceLimits(BaseModel):
    """How much one source file may make the pipeline hold. The archive and line caps are checked before
    the bytes are read and again while they are read, so a lying header cannot get past them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_line_bytes: int = Field(
        8 * MIB,
        ge=1024,
        description="Longest line of a text or conversation file (or element of a .json array), in bytes;"
        " a longer one is skipped unread and quarantined (in a CSV or .json array, with the file's rest)",
    )
    max_document_bytes: int = Field(
        64 * MIB,
        ge=MIB,
        description="Largest document read whole into memory (text, PDF, captions, PubMed XML), in bytes,"
        " as the file's size when it is opened; a larger one is quarantined unread (EPUBs have the"
        " archive caps instead)",
    )
    max_archive_bytes: int = Field(
        256 * MIB,
        ge=MIB,
        description="Most bytes an EPUB may unpack to, all entries together; a larger one is quarantined",
    )
    max_entry_bytes: int = Field(
        32 * MIB,
        ge=64 * 1024,
        description="Most bytes one entry of an EPUB may unpack to; a book with a larger one is quarantined",
    )
    max_archive_entries: int = Field(
        10_000, ge=10, description="Most entries an EPUB may hold; a book with more is quarantined"
    )


DEFAULT_LIMITS = SourceLimits()


def over_cap(found: str, field: str, cap: int, unit: str = "bytes") -> str:
    """A quarantine reason for input over a cap: what was found, the cap, and the setting to raise."""
    return f"{found}, over the cap of {cap} {unit} (raise limits.{field} to read it)"
