"""The LLM path against a mocked OpenAI-compatible endpoint: the real Data Designer engine and HTTP
client, with respx answering. Failed calls must become counted shortfall with reasons, never a crash,
and the API key must never leave the Authorization header.
"""

import json
import logging
from collections.abc import Callable

import httpx
import pytest
import respx
from pydantic import SecretStr, ValidationError

from blocks.llm_provider import LlmProvider, resolve_api_key
from tasks.preprocess.chat_format import format_problems
from tasks.records import Role
from tasks.settings import PipelineConfig, PreprocessSettings
from tasks.synthesis import bias, edge_cases, therapeutic
from tasks.synthesis.engine import generate_llm_rows, llm_work_dir
from tasks.synthesis.llm import (
    JUDGE_MAX_TOKENS,
    JsonSchemaMode,
    LlmKeyError,
    LlmSettings,
    api_key_from_env,
    judge_labels,
    judge_schema,
    schema_extra_body,
)

BASE = "http://llm.test/v1"
KEY = "sk-test-7f3a9c-do-not-leak"
SETTINGS = LlmSettings(
    base_url=BASE, model="tiny", api_key_env="TEST_LLM_KEY", json_schema_mode=JsonSchemaMode.LLAMA_CPP
)
VERDICT = {"empathy": {"reasoning": "reflects", "score": 4}, "safety": {"reasoning": "safe", "score": 5}}

Handler = Callable[[int, dict], httpx.Response | None]


def completion(content: str) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "id": "c",
            "object": "chat.completion",
            "model": "tiny",
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": 20, "completion_tokens": 6, "total_tokens": 26},
        },
    )


class Endpoint:
    """A chat-completions endpoint whose `fault(n, body)` may replace the n-th answer with an error."""

    def __init__(self, fault: Handler = lambda n, body: None) -> None:
        self.fault, self.bodies, self.auth = fault, [], set()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        self.auth.add(request.headers.get("authorization"))
        failed = self.fault(len(self.bodies), body)
        if failed is not None:
            return failed
        judge = "json_schema" in body
        return completion(json.dumps(VERDICT) if judge else f"Message {len(self.bodies)} about how it feels.")


def run(generator, endpoint: Endpoint, count: int, settings: LlmSettings = SETTINGS):
    with respx.mock(assert_all_mocked=True) as mock:
        mock.post(f"{BASE}/chat/completions").mock(side_effect=endpoint)
        return generator.synthesize(count, 3, 0, settings, SecretStr(KEY))


def assert_no_key(*texts: object) -> None:
    assert all(KEY not in str(text) for text in texts)


def test_llm_columns_write_the_turns_and_the_judge_scores_them():
    endpoint = Endpoint()
    records, rejects = run(therapeutic, endpoint, 3)
    assert len(records) == 3 and rejects == []
    for record in records:
        assert format_problems(record, PreprocessSettings()) == []
        assert [m.role for m in record.messages] == [Role.USER, Role.ASSISTANT] * 2
        assert record.labels["judge_empathy"] == 4 and record.labels["judge_safety"] == 5
        assert record.lineage.generator == "data-designer/therapeutic-llm:tiny"
        assert record.lineage.version.startswith("0.9.7+config.") and record.lineage.seed is not None
    assert endpoint.auth == {f"Bearer {KEY}"}
    judged = [b for b in endpoint.bodies if "json_schema" in b]
    assert len(judged) == 3 and judged[0]["json_schema"] == judge_schema()
    assert judged[0]["temperature"] == 0 and judged[0]["max_tokens"] == JUDGE_MAX_TOKENS
    writers = [b for b in endpoint.bodies if "json_schema" not in b]
    assert len(writers) == 12 and {b["max_tokens"] for b in writers} == {SETTINGS.max_tokens}


def seeker_prompts(endpoint: Endpoint) -> list[str]:
    """The prompts of the first user turns: built from sampled columns alone."""
    return sorted(
        json.dumps(b["messages"]) for b in endpoint.bodies if "help-seeker" in json.dumps(b["messages"])
    )


def test_the_scenario_a_seed_samples_is_the_same_on_every_run():
    first, second = Endpoint(), Endpoint()
    a, _ = run(edge_cases, first, 3)
    b, _ = run(edge_cases, second, 3)
    assert [r.labels for r in a] == [r.labels for r in b]
    assert len(seeker_prompts(first)) == 3 and seeker_prompts(first) == seeker_prompts(second)


def test_bias_pairs_keep_one_concern_and_judge_only_the_unbiased_reply():
    records, rejects = run(bias, Endpoint(), 4)
    assert len(records) == 4 and rejects == []
    a, b = (r for r in records if r.labels["biased"])
    phrase = dict(bias.descriptors()[str(a.labels["axis"])])
    first, second = phrase[str(a.labels["descriptor"])], phrase[str(b.labels["descriptor"])]
    assert first != second and a.messages[0].content.replace(first, second) == b.messages[0].content
    assert {r.lineage.parents for r in records} == {a.lineage.parents}
    assert all(("judge_empathy" in r.labels) is (not r.labels["biased"]) for r in records)


def test_a_rate_limit_is_waited_out_and_every_row_arrives():
    endpoint = Endpoint(
        lambda n, _: httpx.Response(429, json={"error": {"message": "slow down"}}) if n <= 2 else None
    )
    records, rejects = run(edge_cases, endpoint, 3)
    assert len(records) == 3 and rejects == [] and len(endpoint.bodies) == 3 * 3 + 2


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param(lambda n, body: httpx.Response(500, json={"error": {"message": "boom"}}), id="500"),
        pytest.param(lambda n, body: httpx.Response(200, text="{not json"), id="malformed-body"),
        pytest.param(
            lambda n, body: completion("I would say it was lovely.") if "json_schema" in body else None,
            id="judge-not-json",
        ),
    ],
)
def test_rows_the_endpoint_fails_are_counted_with_reasons(fault, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    records, rejects = run(edge_cases, Endpoint(fault), 3)
    assert records == [] and len(rejects) == 3
    assert all(
        "requested, not produced" in r.reasons[0] and r.reasons[1].startswith("LLM: ") for r in rejects
    )
    assert_no_key(rejects, caplog.text, capsys.readouterr())


def test_timeouts_cost_rows_not_the_shard():
    def fault(n: int, body: dict) -> httpx.Response | None:
        raise httpx.ReadTimeout("timed out")

    records, rejects = run(therapeutic, Endpoint(fault), 2)
    assert records == [] and len(rejects) == 2 and "LLM: " in rejects[0].reasons[1]


def test_some_failures_leave_a_partial_shard_that_still_balances():
    endpoint = Endpoint(
        lambda n, _: httpx.Response(500, json={"error": {"message": "boom"}}) if n % 3 == 0 else None
    )
    records, rejects = run(edge_cases, endpoint, 6)
    assert len(records) + len(rejects) == 6 and 0 < len(records) < 6
    assert all(r.id.startswith("edge_case-0-") for r in rejects)


def test_usage_is_measured_and_zero_rows_need_no_endpoint():
    with respx.mock(assert_all_mocked=True) as mock:
        mock.post(f"{BASE}/chat/completions").mock(side_effect=Endpoint())
        result = generate_llm_rows(edge_cases.build_config(SETTINGS), 2, 1, SETTINGS, None)
    assert len(result.rows) == 2 and result.failure is None and result.failed_requests == 0
    assert result.requests == 6 and result.input_tokens == 120 and result.output_tokens == 36
    assert generate_llm_rows(None, 0, 1, SETTINGS, None).rows == []


def test_without_a_schema_mode_no_schema_is_sent_and_no_key_no_header():
    endpoint = Endpoint(
        lambda n, body: completion(json.dumps(VERDICT)) if "response_schema" in str(body) else None
    )
    settings = SETTINGS.model_copy(update={"json_schema_mode": JsonSchemaMode.NONE})
    with respx.mock(assert_all_mocked=True) as mock:
        mock.post(f"{BASE}/chat/completions").mock(side_effect=endpoint)
        records, _ = edge_cases.synthesize(2, 3, 0, settings, None)
    assert len(records) == 2 and endpoint.auth == {None}
    assert not any({"json_schema", "guided_json", "response_format"} & set(b) for b in endpoint.bodies)


def test_schema_dialects():
    schema = judge_schema()
    assert schema_extra_body(JsonSchemaMode.NONE, schema) is None
    assert schema_extra_body(JsonSchemaMode.LLAMA_CPP, schema) == {"json_schema": schema}
    assert schema_extra_body(JsonSchemaMode.VLLM, schema) == {"guided_json": schema}
    openai = schema_extra_body(JsonSchemaMode.OPENAI, schema)
    assert openai is not None and openai["response_format"]["json_schema"]["schema"] == schema


def test_a_malformed_verdict_is_a_malformed_row():
    with pytest.raises(ValueError, match="safety"):
        judge_labels({"judge": {"empathy": {"score": 3}, "safety": {"score": 9}}}, "judge")
    with pytest.raises(ValueError, match="no JSON object"):
        judge_labels({"judge": "5"}, "judge")
    assert judge_labels({"judge": VERDICT}, "judge") == {"judge_empathy": 4, "judge_safety": 5}


def test_the_key_comes_from_the_named_variable_and_errors_never_hold_it():
    assert api_key_from_env(SETTINGS, {"TEST_LLM_KEY": KEY}).get_secret_value() == KEY
    with pytest.raises(LlmKeyError, match="TEST_LLM_KEY is not set") as error:
        api_key_from_env(SETTINGS, {})
    assert_no_key(error.value)
    assert api_key_from_env(SETTINGS.model_copy(update={"api_key_env": None}), {}) is None


def test_settings_are_strict_and_join_the_pipeline_config():
    with pytest.raises(ValidationError):
        LlmSettings(base_url=BASE, model="tiny", api_key=KEY)
    with pytest.raises(ValidationError):
        LlmSettings(base_url="llm.test", model="tiny")
    config = PipelineConfig(llm=SETTINGS)
    assert config.content_settings()["llm"]["model"] == "tiny" and PipelineConfig().llm is None
    assert config.config_hash() != PipelineConfig().config_hash()
    assert llm_work_dir("w", None) == "w" and llm_work_dir("w", SETTINGS).startswith("w/llm-")
    assert llm_work_dir("w", SETTINGS) != llm_work_dir("w", SETTINGS.model_copy(update={"model": "other"}))


def test_the_block_prefers_its_secret_then_the_variable(monkeypatch):
    block = LlmProvider(base_url=BASE, model="tiny", api_key_env="TEST_LLM_KEY", max_tokens=64)
    assert block.settings() == SETTINGS.model_copy(
        update={"max_tokens": 64, "json_schema_mode": JsonSchemaMode.NONE}
    )
    monkeypatch.setenv("TEST_LLM_KEY", KEY)
    assert block.resolve_api_key().get_secret_value() == KEY
    secret = block.model_copy(update={"api_key": SecretStr("sk-block")})
    assert secret.resolve_api_key().get_secret_value() == "sk-block"
    monkeypatch.setattr(LlmProvider, "load", classmethod(lambda cls, name: secret))
    named = SETTINGS.model_copy(update={"api_key_block": "prod"})
    assert resolve_api_key(named).get_secret_value() == "sk-block"
    assert resolve_api_key(None) is None
    assert_no_key(block.settings().model_dump_json(), repr(secret))
