"""What the content filter blocks: its harm categories and settings, apart from the patterns, so the
configuration loads without compiling them."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from tasks.records import Role


class Category(StrEnum):
    """What kind of harm a hit is; reasons and settings name categories by these values."""

    SELF_HARM_INSTRUCTIONS = "self_harm_instructions"
    LETHAL_MEANS = "lethal_means"
    PRO_EATING_DISORDER = "pro_eating_disorder"
    SEXUAL_MINORS = "sexual_minors"
    HATE_HARASSMENT = "hate_harassment"
    VIOLENT_THREAT = "violent_threat"
    MEDICATION_DOSING = "medication_dosing"
    DIAGNOSIS = "diagnosis"


class ContentFilterSettings(BaseModel):
    """Settings of the content filter gate."""

    categories: tuple[Category, ...] = Field(tuple(Category), description="Categories that block a record")
    roles: tuple[Role, ...] = Field((Role.ASSISTANT,), description="Roles whose turns are scanned")
    every_turn_categories: tuple[Category, ...] = Field(
        (Category.SEXUAL_MINORS,),
        description="Categories scanned in every turn (scenario and user text too): they make a record "
        "unusable whoever says them",
    )
