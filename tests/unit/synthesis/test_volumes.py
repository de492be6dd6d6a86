from tasks.synthesis.volumes import shard_plan, top_up_volumes


def test_top_up_scales_the_shortfall_by_the_measured_pass_rate_in_whole_units():
    targets = {"therapeutic": 1_000, "bias": 100, "edge_case": 10, "grounded": 50, "finding": 5}
    generated = {"therapeutic": 1_000, "bias": 100, "edge_case": 10, "grounded": 50}
    exported = {"therapeutic": 500, "bias": 97, "edge_case": 10, "grounded": 40, "finding": 0}
    # half survived: 500 short needs 1,000 more at that rate, plus three standard deviations of the
    # survivors (3·√(500·0.5) ≈ 47 records, over the rate: 95) → 1,095; bias 3 short at 97% →
    # (3 + 3·√(3·0.03)) / 0.97 → 5, whole pairs of pairs → 8; grounded 10 short at 80% →
    # (10 + 3·√2) / 0.8 → 18; edge cases met their target; findings are never generated.
    assert top_up_volumes(targets, generated, exported) == {"therapeutic": 1_095, "bias": 8, "grounded": 18}


def test_one_record_short_asks_for_enough_that_chance_rarely_leaves_it_short():
    # 1 short at 60%: 1/0.6 would ask for 2, which both fail 16% of the time; (1 + 3·√0.4) / 0.6 → 5
    assert top_up_volumes({"grounded": 5_000}, {"grounded": 8_000}, {"grounded": 4_999}) == {"grounded": 5}


def test_a_kind_none_of_which_survived_is_generated_again_at_its_shortfall_and_capped():
    assert top_up_volumes({"therapeutic": 100}, {"therapeutic": 100}, {"therapeutic": 0}) == {
        "therapeutic": 100
    }
    assert top_up_volumes({"therapeutic": 100}, {"therapeutic": 100}, {"therapeutic": 1}) == {
        "therapeutic": 400
    }


def test_top_up_shards_are_numbered_after_the_first_round():
    assert shard_plan(250, 100) == [(0, 100), (1, 100), (2, 50)]
    assert shard_plan(150, 100, first=3) == [(3, 100), (4, 50)]
