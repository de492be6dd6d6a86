import json

import numpy as np
import pytest

from tasks.gates import crisis
from tasks.gates.model_artefacts import sha256_of
from tasks.gates.sentence_encoder import encoder, model_dir
from tasks.gates.static_embeddings import MAX_TOKENS, STATIC_PATH, static_encoder

TEXTS = (
    "I have not slept properly in weeks and work keeps piling up.",
    "The weather was lovely at the beach today.",
)


def _table() -> dict[str, np.ndarray]:
    with np.load(STATIC_PATH, allow_pickle=False) as data:
        return {name: data[name] for name in data.files}


def test_a_distilled_token_vector_is_the_encoders_output_for_that_token():
    table = _table()
    tokenizer = encoder().tokenizer
    words = ["hopeless", "kitchen", "die", "##ing"]
    ids = np.asarray([tokenizer.token_to_id(w) for w in words])
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    outputs = encoder()._forward(np.stack([np.full_like(ids, cls), ids, np.full_like(ids, sep)], axis=1))
    stored = table["vectors"][ids].astype(np.float64) * table["scales"][ids, None]
    np.testing.assert_allclose(stored, outputs, atol=float(table["scales"][ids].max()) * 0.51)
    assert np.abs(outputs).max() > 0.1  # a real vector, not a zero row the tolerance would pass
    assert table["source_sha256"] == sha256_of(model_dir() / "model.safetensors")


def test_the_table_is_small_and_the_one_the_crisis_card_names():
    card = json.loads(crisis.CARD_PATH.read_text())["embedding_model"]
    assert card["static_table"] == STATIC_PATH.name
    assert card["static_table_sha256"] == sha256_of(STATIC_PATH)
    assert STATIC_PATH.stat().st_size < 12_000_000
    assert _table()["vectors"].dtype == np.int8


def test_an_embedding_does_not_depend_on_its_batch():
    texts = [*TEXTS, "I keep going over the same worries at night. " * 30, "ok", ""]
    alone = np.stack([static_encoder().encode([t])[0] for t in texts])
    order = np.random.default_rng(7).permutation(len(texts))
    assert np.array_equal(static_encoder().encode([texts[i] for i in order]), alone[order])
    assert np.array_equal(static_encoder().encode(texts * 3)[len(texts) :], np.vstack([alone, alone]))


def test_mean_and_maximum_halves_are_unit_length_and_empty_text_is_zero():
    vectors = static_encoder().encode([*TEXTS, ""])
    half = static_encoder().dims // 2
    assert vectors.shape == (3, static_encoder().dims) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors[:2, :half], axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(vectors[:2, half:], axis=1), 1.0, atol=1e-5)
    assert not vectors[2].any() and static_encoder().encode([]).shape == (0, static_encoder().dims)


def test_long_texts_are_read_up_to_the_token_limit():
    start = "I lost my job last month and I do not know what to tell my family. " * 60
    same, different = static_encoder().encode([start, start + "Completely different ending about the sea."])
    assert np.array_equal(same, different) and MAX_TOKENS == 512
    short = static_encoder().encode(["I lost my job last month.", "I lost my job last month. The sea."])
    assert not np.array_equal(short[0], short[1])


def test_meaning_not_wording_sets_the_distance():
    tired, exhausted, beach = static_encoder().encode(
        ["I'm so tired all the time.", "I feel exhausted every single day.", TEXTS[1]]
    )
    assert tired @ exhausted > tired @ beach


@pytest.mark.parametrize(
    "text",
    [
        "I'm really glad you reached out.",
        "that's hard... what's been weighing on you the most?",
        "Café, naïve résumé: 100% of it -- ok?",
        "Tabs\tand\nnew lines,\u3000wide spaces, zero\u200bwidth and 漢字 too",
        "I CAN'T do this anymore!!! #tired",
        "",
        "word " * 700,
    ],
)
def test_token_ids_per_word_equal_the_tokenizer_on_the_whole_text(text):
    """Words are tokenised once and remembered; a text's ids must still be the tokenizer's own."""
    encoder = static_encoder()
    assert encoder.token_ids([text]) == [encoder.tokenizer.encode(text, add_special_tokens=False).ids]
