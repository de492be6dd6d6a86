"""The crisis gate's settings, apart from the detector, so the configuration loads without its models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class CrisisSettings(BaseModel):
    """Settings of the crisis gate."""

    threshold: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Score at or above which a user turn is flagged; None uses the trained threshold",
    )
    unanswered_in_corpus: Literal["cut", "quarantine"] = Field(
        "cut",
        description="A corpus conversation whose flagged user turn no reply answers with the crisis"
        " protocol: 'cut' keeps the exchanges before that turn (nothing from it on is trained on),"
        " 'quarantine' drops the whole conversation",
    )
