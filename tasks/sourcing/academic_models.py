"""The services, their settings and the finding they all describe a paper as.

Every academic module speaks in these types; they live apart from the clients and the orchestration
so both can import them without importing each other.
"""

from __future__ import annotations

import os
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from tasks.sourcing.academic_fields import normalise_doi


class Service(StrEnum):
    """A search service; the order here is the default preference between duplicates."""

    PUBMED = "pubmed"
    EUROPE_PMC = "europepmc"
    OPENALEX = "openalex"
    SEMANTIC_SCHOLAR = "semanticscholar"


class AcademicSettings(BaseModel):
    """Which services to ask, how much, and how patiently."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    services: tuple[Service, ...] = Field(
        tuple(Service), min_length=1, description="Services to search; earlier wins between duplicates"
    )
    max_results_per_query: int = Field(100, ge=1, le=10_000, description="Findings per query and service")
    page_size: int = Field(100, ge=1, le=1_000, description="Results per request (each service caps it)")
    timeout_s: float = Field(30.0, gt=0, description="Seconds one request may take")
    max_attempts: int = Field(
        4, ge=1, le=10, description="Tries per request; 429, 5xx and network errors retry"
    )
    backoff_s: float = Field(
        1.0, gt=0, description="First retry wait, doubled each retry without Retry-After"
    )
    max_wait_s: float = Field(
        60.0, gt=0, description="Longest retry wait; a longer Retry-After ends the tries"
    )
    ncbi_api_key: SecretStr | None = Field(
        None, description="NCBI API key (10 requests/s instead of 3); else the ncbi_api_key_env variable"
    )
    ncbi_api_key_env: str = Field("NCBI_API_KEY", description="Environment variable that holds the NCBI key")
    contact_email: str | None = Field(None, description="Sent as NCBI `email` and OpenAlex `mailto`")
    tool: str = Field("unified-dataset-pipeline", description="Sent as NCBI `tool` and in the User-Agent")

    @field_validator("services")
    @classmethod
    def _distinct(cls, value: tuple[Service, ...]) -> tuple[Service, ...]:
        if len(set(value)) != len(value):
            raise ValueError("each service may be listed once")
        return value

    def ncbi_key(self) -> SecretStr | None:
        """The configured key, else the environment's, so a key never has to sit in a config file."""
        if self.ncbi_api_key is not None:
            return self.ncbi_api_key
        value = os.environ.get(self.ncbi_api_key_env, "").strip()
        return SecretStr(value) if value else None


class Finding(BaseModel):
    """One paper as a service describes it; ids are normalised so duplicates meet."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    abstract: str | None = None
    authors: tuple[str, ...] = ()
    journal: str | None = None
    year: int | None = None
    doi: str | None = Field(None, description="Lower-case, without a resolver prefix")
    pmid: str | None = Field(None, pattern=r"^\d+$")
    pmcid: str | None = Field(None, pattern=r"^PMC\d+$")
    mesh_terms: tuple[str, ...] = ()
    licence: str | None = None
    service: Service
    url: str

    @field_validator("doi")
    @classmethod
    def _normal_doi(cls, value: str | None) -> str | None:
        if value is None:
            return None
        doi = normalise_doi(value)
        if doi is None:
            raise ValueError(f"{value!r} is not a DOI")
        return doi
