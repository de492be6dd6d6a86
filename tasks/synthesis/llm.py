"""The LLM path of synthesis: any OpenAI-compatible endpoint (NIM, vLLM, OpenAI, llama.cpp) writes the
text columns of the same Data Designer configs the offline engine runs, and a judge column scores
each conversation's empathy and safety as structured JSON.

The API key is never part of these settings: they name the environment variable (or the saved
LlmProvider block) that holds it, so settings can sit in deployments, logs and manifests.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import SecretStr

from tasks.records import canonical_json
from tasks.synthesis.llm_settings import JsonSchemaMode, LlmSettings

WRITER = "writer"
JUDGE = "judge"
PROVIDER = "llm"
# The provider config names this reference; only the run's secret resolver maps it to the key.
KEY_REFERENCE = "llm-provider-api-key"
# A verdict cut off at max_tokens is unparseable JSON: bounded reasons (about 40 tokens each) and a
# budget of its own keep the judge's answer whole, whatever max_tokens the text columns use.
_JUDGE_REASON_CHARS = 160
JUDGE_MAX_TOKENS = 256

STYLE = (
    "You write the counsellor's side of a text-based emotional support conversation. Reflect what the "
    "person said in your own words, validate their feelings, ask at most one open question, respect their "
    "autonomy, never diagnose or prescribe, and suggest professional help where it fits. If anything "
    "suggests risk of harm, ask directly about safety and name a crisis line (988 in the US) or the "
    "local emergency number. Reply with the message only: no name, no quotes, no stage directions."
)
SEEKER = (
    "You write the help-seeker's side of a text-based emotional support conversation, in the first "
    "person, plainly and specifically, as a real person would type it. Reply with the message only."
)


class LlmKeyError(RuntimeError):
    """The configured API key cannot be found."""


def api_key_from_env(settings: LlmSettings, environ: Mapping[str, str] = os.environ) -> SecretStr | None:
    """The key from the variable `api_key_env` names; None when no key is configured."""
    if settings.api_key_env is None:
        return None
    value = environ.get(settings.api_key_env, "")
    if not value:
        raise LlmKeyError(
            f"the LLM API key variable {settings.api_key_env} is not set: export it, or unset"
            " llm.api_key_env for a server that needs no key"
        )
    return SecretStr(value)


def redact(text: str, key: SecretStr | None) -> str:
    """`text` with the API key blanked, for any message that may reach a log, a shard or an error."""
    secret = key.get_secret_value() if key is not None else ""
    return text.replace(secret, "[redacted]") if secret else text


class KeyResolver:
    """Data Designer's secret resolver for one run: it knows the key reference and nothing else."""

    def __init__(self, key: SecretStr | None) -> None:
        self._key = key

    def resolve(self, secret: str) -> str:
        if secret != KEY_REFERENCE or self._key is None:
            raise LookupError("the LLM provider asks for a secret this run does not hold")
        return self._key.get_secret_value()


def provider(settings: LlmSettings, key: SecretStr | None) -> Any:
    """The Data Designer model provider; its api_key is a reference, never the key."""
    import data_designer.config as dd

    return dd.ModelProvider(
        name=PROVIDER, endpoint=settings.base_url, api_key=KEY_REFERENCE if key is not None else None
    )


SCORES: dict[str, tuple[str, dict[int, str]]] = {
    "empathy": (
        "How well the counsellor's replies reflect, validate and respond to what the person said.",
        {
            1: "dismissive, generic or judgemental",
            2: "polite but misses the person's feelings",
            3: "acknowledges feelings in general terms",
            4: "reflects and validates specifically",
            5: "specific reflection, validation and an open, autonomy-respecting next step",
        },
    ),
    "safety": (
        "Whether the replies avoid harm: no diagnosis, no dangerous detail, help named where risk shows.",
        {
            1: "harmful: gives dangerous detail or encourages harm",
            2: "misses clear risk or diagnoses",
            3: "no harm but ignores a risk signal",
            4: "safe, with minor gaps",
            5: "fully safe, and names help wherever risk shows",
        },
    ),
}


def judge_scores() -> list[Any]:
    """The judge's rubric as Data Designer scores."""
    import data_designer.config as dd

    return [
        dd.Score(name=name, description=text, options=dict(options))
        for name, (text, options) in SCORES.items()
    ]


def judge_schema() -> dict[str, Any]:
    """The JSON schema the judge must answer in (what Data Designer validates, with a bounded reason)."""
    properties = {
        name: {
            "type": "object",
            "properties": {
                "reasoning": {"type": "string", "maxLength": _JUDGE_REASON_CHARS},
                "score": {"type": "integer", "enum": sorted(options)},
            },
            "required": ["reasoning", "score"],
            "additionalProperties": False,
        }
        for name, (_, options) in SCORES.items()
    }
    return {
        "type": "object",
        "properties": properties,
        "required": list(SCORES),
        "additionalProperties": False,
    }


def schema_extra_body(mode: JsonSchemaMode, schema: dict[str, Any]) -> dict[str, Any] | None:
    """The request fields that make a server enforce `schema`, in that server's dialect."""
    if mode is JsonSchemaMode.LLAMA_CPP:
        return {"json_schema": schema}
    if mode is JsonSchemaMode.VLLM:
        return {"guided_json": schema}
    if mode is JsonSchemaMode.OPENAI:
        return {
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "judgement", "schema": schema, "strict": True},
            }
        }
    return None


def model_configs(settings: LlmSettings) -> list[Any]:
    """The writer (text columns) and judge (scored JSON: greedy, its own token budget, schema-enforced if
    asked) models.
    """
    import data_designer.config as dd

    def model(alias: str, temperature: float, max_tokens: int, extra_body: dict[str, Any] | None) -> Any:
        return dd.ModelConfig(
            alias=alias,
            model=settings.model,
            provider=PROVIDER,
            # A failing probe would fail the whole shard; failed rows are counted instead.
            skip_health_check=True,
            inference_parameters=dd.ChatCompletionInferenceParams(
                temperature=temperature,
                max_tokens=max_tokens,
                timeout=settings.timeout,
                max_parallel_requests=settings.max_concurrency,
                extra_body=extra_body,
            ),
        )

    return [
        model(WRITER, settings.temperature, settings.max_tokens, None),
        model(JUDGE, 0.0, JUDGE_MAX_TOKENS, schema_extra_body(settings.json_schema_mode, judge_schema())),
    ]


def text_column(name: str, prompt: str, system_prompt: str) -> Any:
    """An LLM text column written by the writer model."""
    import data_designer.config as dd

    return dd.LLMTextColumnConfig(name=name, prompt=prompt, system_prompt=system_prompt, model_alias=WRITER)


def judge_column(name: str, prompt: str) -> Any:
    """An LLM judge column scoring empathy and safety."""
    import data_designer.config as dd

    return dd.LLMJudgeColumnConfig(name=name, prompt=prompt, model_alias=JUDGE, scores=judge_scores())


def judge_labels(row: Mapping[str, Any], column: str) -> dict[str, int]:
    """The judge's scores as labels (`judge_empathy`, `judge_safety`); raises ValueError if malformed."""
    verdict = row.get(column)
    if not isinstance(verdict, Mapping):
        raise ValueError(f"judge column {column!r} holds no JSON object")
    labels = {}
    for name, (_, options) in SCORES.items():
        entry = verdict.get(name)
        score = entry.get("score") if isinstance(entry, Mapping) else None
        if isinstance(score, bool) or score not in options:
            raise ValueError(f"judge column {column!r} has no valid {name} score")
        labels[f"judge_{name}"] = int(score)
    return labels


def config_hash(builder: Any) -> str:
    """A short hash of a generator's columns and models: which prompts and endpoint made a record."""
    payload = {
        "columns": [c.model_dump(mode="json") for c in builder.get_column_configs()],
        "models": [m.model_dump(mode="json") for m in builder.model_configs],
    }
    return hashlib.sha256(canonical_json(payload)).hexdigest()[:16]


def lineage_version(engine_version: str, builder: Any) -> str:
    """The generator version an LLM record carries: the engine's, plus the hash of its config."""
    return f"{engine_version}+config.{config_hash(builder)}"


def conversation_text(turns: Sequence[tuple[str, str]]) -> str:
    """A Jinja block that lays out named turn columns as a transcript for a prompt."""
    return "\n".join(f"{speaker}: {{{{ {column} }}}}" for speaker, column in turns)
