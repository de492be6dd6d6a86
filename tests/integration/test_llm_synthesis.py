"""The LLM synthesis path against a real OpenAI-compatible server (llama.cpp's llama-server with
SmolLM2-135M-Instruct): the same Data Designer configs, real HTTP, a grammar-enforced judge.

That model's text is not usable data; this proves the wiring (prompts reach the server, answers come
back into records, lost rows are counted), and the gates decide what survives.
"""

from __future__ import annotations

import re

import pytest

from flows.synthesis import synthesis
from tasks.records import QuarantineItem, Record, RecordKind, Role, canonical_json
from tasks.shards import read_models
from tasks.synthesis import bias, therapeutic
from tasks.synthesis.engine import shard_seed
from tasks.synthesis.llm_settings import JsonSchemaMode, LlmSettings
from tests.integration.llm_server import llama_server  # noqa: F401  (the fixture)
from tests.integration.runs import config_for

pytestmark = pytest.mark.integration


def settings_for(base_url: str) -> LlmSettings:
    # Short messages keep the test to seconds on two cores; the judge has a budget of its own.
    return LlmSettings(
        base_url=base_url,
        model="smollm2",
        max_concurrency=2,
        max_tokens=48,
        timeout=300,
        json_schema_mode=JsonSchemaMode.LLAMA_CPP,
    )


def assert_valid(records: list[Record], kind: RecordKind, generator: str, seed: int) -> None:
    for record in records:
        assert Record.model_validate_json(canonical_json(record)) == record and record.kind is kind
        assert record.messages[0].role is Role.USER and all(m.content for m in record.messages)
        assert record.lineage.generator == f"data-designer/{generator}-llm:smollm2"
        assert re.fullmatch(r"\d+\.\d+\.\d+\+config\.[0-9a-f]{16}", record.lineage.version)
        assert record.lineage.seed == seed and record.source.uri == f"generator:{record.lineage.generator}"


def test_the_synthesis_flow_sends_therapeutic_rows_through_the_server(llama_server, tmp_path):  # noqa: F811
    config = config_for(tmp_path, therapeutic_samples=4, seed=11, llm=settings_for(llama_server))
    [outcome] = synthesis(config, passages=[])
    counts = outcome.counts["therapeutic"]
    assert counts.entered == 4 == counts.kept + counts.quarantined and counts.kept >= 1
    assert "/llm-" in outcome.kept.path
    records = list(read_models(outcome.kept, Record))
    assert_valid(records, RecordKind.THERAPEUTIC, "therapeutic", shard_seed(11, therapeutic.GENERATOR, 0))
    for record in records:
        assert [m.role for m in record.messages] == [Role.USER, Role.ASSISTANT] * 2
        assert record.labels["judge_empathy"] in range(1, 6) and record.labels["judge_safety"] in range(1, 6)
    assert all(item.reasons for item in read_models(outcome.quarantine, QuarantineItem))


def test_bias_pair_through_the_server(llama_server):  # noqa: F811
    records, rejects = bias.synthesize(4, 11, 0, settings_for(llama_server), None)
    assert len(records) + len(rejects) == 4 and all(r.reasons for r in rejects)
    assert_valid(records, RecordKind.BIAS, "bias", shard_seed(11, bias.GENERATOR, 0))
    if records:
        assert {r.labels["biased"] for r in records} == {True, False}
        assert len({r.lineage.parents for r in records}) == 1
