"""The crisis gate's setting, apart from the detector, so the configuration loads without its models."""

from __future__ import annotations

from pydantic import BaseModel, Field


class CrisisSettings(BaseModel):
    """Settings of the crisis gate."""

    threshold: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Score at or above which a user turn is flagged; None uses the trained threshold",
    )
