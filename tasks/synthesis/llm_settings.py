"""The LLM endpoint synthesis may use, as plain data: the configuration loads without the LLM client,
Data Designer or the generators."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

_ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"


class JsonSchemaMode(StrEnum):
    """How a server is told to enforce a JSON schema on structured and judge columns."""

    NONE = "none"
    LLAMA_CPP = "llama.cpp"
    VLLM = "vllm"
    OPENAI = "openai"


class LlmSettings(BaseModel):
    """An OpenAI-compatible endpoint for the synthesis text and judge columns."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str = Field(
        pattern=r"^https?://\S+$", description="API root with the version, e.g. http://127.0.0.1:8080/v1"
    )
    model: str = Field(min_length=1, description="Model name the endpoint serves")
    api_key_env: str | None = Field(
        None, pattern=_ENV_NAME, description="Environment variable holding the API key; unset: no key"
    )
    api_key_block: str | None = Field(
        None, description="Saved LlmProvider block whose API key is used instead of api_key_env"
    )
    max_concurrency: int = Field(4, ge=1, le=512, description="Requests in flight at once per shard")
    timeout: int = Field(120, ge=1, description="Seconds one request may take before it counts as failed")
    temperature: float = Field(0.7, ge=0.0, le=2.0, description="Sampling temperature of the text columns")
    max_tokens: int = Field(256, ge=16, description="Most tokens one generated message may have")
    json_schema_mode: JsonSchemaMode = Field(
        JsonSchemaMode.NONE,
        description="Server-enforced JSON schema for judge columns via extra_body: llama.cpp json_schema,"
        " vLLM guided_json, OpenAI response_format; none: the prompt alone asks for JSON",
    )

    @property
    def engine(self) -> str:
        """What lineage names as the engine: `llm:<model>`."""
        return f"llm:{self.model}"
