"""The quality gate's bounds, apart from the gate, so the configuration loads without it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class QualitySettings(BaseModel):
    """Bounds of the quality gate."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_ngram_repeats: int = Field(3, ge=1, description="Most times one 4-word sequence may recur in a reply")
    max_words_per_sentence: int = Field(60, ge=5, description="Longest average sentence a reply may have")
