"""An OpenAI-compatible LLM endpoint (NIM, vLLM, OpenAI, llama.cpp) for synthesis, kept as a Prefect
block so its API key can live in Prefect's secret storage instead of a deployment's parameters.
"""

from __future__ import annotations

from prefect.blocks.core import Block
from pydantic import Field, SecretStr

from tasks.synthesis.llm import JsonSchemaMode, LlmSettings, api_key_from_env


class LlmProvider(Block):
    """Endpoint, model and limits for the LLM synthesis path; the key is a secret or an env variable."""

    _block_type_name = "LLM Provider"

    base_url: str = Field(description="API root with the version, e.g. https://integrate.api.nvidia.com/v1")
    model: str = Field(description="Model name the endpoint serves")
    api_key: SecretStr | None = Field(None, description="API key; else the variable api_key_env names")
    api_key_env: str | None = Field(None, description="Environment variable holding the API key")
    max_concurrency: int = Field(4, ge=1, le=512, description="Requests in flight at once per shard")
    timeout: int = Field(120, ge=1, description="Seconds one request may take")
    temperature: float = Field(0.7, ge=0.0, le=2.0, description="Sampling temperature of the text columns")
    max_tokens: int = Field(256, ge=16, description="Most tokens one generated message may have")
    json_schema_mode: JsonSchemaMode = Field(
        JsonSchemaMode.NONE, description="How the server enforces the judge's JSON schema"
    )

    def settings(self) -> LlmSettings:
        """The pipeline's `llm` setting for this endpoint; a saved block with a key is named, never copied."""
        saved_with_key = self.api_key is not None and self._block_document_name is not None
        return LlmSettings(
            base_url=self.base_url,
            model=self.model,
            api_key_env=self.api_key_env,
            api_key_block=self._block_document_name if saved_with_key else None,
            max_concurrency=self.max_concurrency,
            timeout=self.timeout,
            temperature=self.temperature,
            max_tokens=self.max_tokens,
            json_schema_mode=self.json_schema_mode,
        )

    def resolve_api_key(self) -> SecretStr | None:
        """The block's secret if it holds one, else the key from the environment variable, else None."""
        return self.api_key if self.api_key is not None else api_key_from_env(self.settings())


def resolve_api_key(settings: LlmSettings | None) -> SecretStr | None:
    """The key a shard task sends: from the named saved block, else from `api_key_env`; None offline."""
    if settings is None:
        return None
    if settings.api_key_block:
        block: LlmProvider = LlmProvider.load(settings.api_key_block)  # type: ignore[assignment]
        return block.resolve_api_key()
    return api_key_from_env(settings)
