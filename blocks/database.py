"""The metadata database's connection URL, kept as a Prefect block so the password never sits in
a deployment's parameters, a log line or a manifest.
"""

from __future__ import annotations

from prefect.blocks.core import Block
from pydantic import Field, SecretStr


class MetadataDatabase(Block):
    """SQLAlchemy URL of the run-metadata database, e.g. postgresql+psycopg://user:pw@host/db."""

    _block_type_name = "Metadata Database"

    url: SecretStr = Field(description="SQLAlchemy URL; PostgreSQL 15+ in production")
