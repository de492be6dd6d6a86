"""Sourcing quarantine is scrubbed of PII before it is written, as it leaves the state folder.

Items refused at sourcing carry what was refused: an excerpt of a malformed line (up to 500
characters), a whole conversation the dataset marks as failed, a parser's message that may quote the
file. They are published under `quarantine/sourcing/` and to S3, so each is scrubbed here with the
gates' own scrubber (`tasks.preprocess.pii`), at its strictest: every PII type, names included, in
the reasons and the raw excerpt, and a refused record's messages as the preprocessing stage scrubs
a kept one. Scrubbing was chosen over keeping only a hash and a location because a reviewer must see
why a line was refused ("not JSON" next to a truncated object says more than a hash); the item's
reason still names the file and line, so the original can be found in the sources when needed.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tasks.preprocess.pii import scrub_record, scrub_text
from tasks.preprocess.settings import PiiSettings
from tasks.records import QuarantineItem, Record, Role
from tasks.shards import ShardRef, write_shard

# Fixed, not the run's gating settings: a run that keeps some PII in its records still publishes none
# of it in what it refused.
SCRUB = PiiSettings()


def _scrub(text: str) -> str:
    # Role.USER: the role scanned for every type, person names included.
    return scrub_text(text, SCRUB, Role.USER)[0]


def scrubbed(item: QuarantineItem) -> QuarantineItem:
    """The item with PII in its reasons, raw excerpt and refused record replaced by placeholders."""
    record = item.record
    if record is not None:
        record = scrub_record(Record.model_validate(record), SCRUB)[0].model_dump(mode="json")
    return item.model_copy(
        update={
            "reasons": tuple(_scrub(reason) for reason in item.reasons),
            "raw": _scrub(item.raw) if item.raw else item.raw,
            "record": record,
        }
    )


def write_quarantine(location: str | Path, items: Iterable[QuarantineItem]) -> ShardRef:
    """Write a sourcing quarantine shard, every item scrubbed first: the one way sourcing writes one."""
    return write_shard(location, (scrubbed(item) for item in items))
