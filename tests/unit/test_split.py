"""Property tests for the 70/15/15 splitter: exact, stratified, grouped, deterministic."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.split import SPLITS, assign_groups, assign_splits, split_targets

kinds = st.sampled_from(["therapeutic", "bias", "grounded"])
members = st.lists(st.tuples(kinds, st.integers(0, 40).map(lambda g: f"g{g}")), max_size=400)


@given(st.integers(0, 100_000))
def test_targets_sum_to_total_and_stay_within_one_of_the_quota(total):
    targets = split_targets(total)
    assert sum(targets) == total
    for target, ratio in zip(targets, (0.7, 0.15, 0.15), strict=True):
        assert abs(target - total * ratio) < 1


def test_largest_remainder_rounding_on_a_known_case():
    # 10 * (0.7, 0.15, 0.15) = (7, 1.5, 1.5): the one left over goes to the first largest remainder.
    assert split_targets(10) == [7, 2, 1]
    assert split_targets(1_000) == [700, 150, 150]


@given(st.integers(0, 3_000), st.integers(0, 2**32 - 1))
def test_singleton_groups_split_exactly(n, seed):
    assignment = assign_groups({f"r{i}": 1 for i in range(n)}, "therapeutic", seed)
    counts = Counter(assignment.values())
    assert [counts[s] for s in SPLITS] == split_targets(n)


@settings(max_examples=200)
@given(members, st.integers(0, 2**32 - 1))
def test_groups_never_straddle_and_each_kind_misses_by_less_than_its_largest_group(pairs, seed):
    assignment = assign_splits(pairs, seed)
    # one split per group, by construction of the mapping; every record's group is assigned
    assert {g for _, g in pairs} == set(assignment)
    kind_of = {}
    for kind, group in pairs:
        kind_of[group] = min(kind, kind_of.get(group, kind))
    sizes = Counter(g for _, g in pairs)
    for kind in set(kind_of.values()):
        groups = [g for g in sizes if kind_of[g] == kind]
        per_split = Counter()
        for g in groups:
            per_split[assignment[g]] += sizes[g]
        largest = max(sizes[g] for g in groups)
        for split, target in zip(SPLITS, split_targets(sum(sizes[g] for g in groups)), strict=True):
            assert abs(per_split[split] - target) < largest or per_split[split] == target


@given(members, st.integers(0, 2**32 - 1))
def test_same_seed_same_assignment_whatever_the_input_order(pairs, seed):
    assert assign_splits(pairs, seed) == assign_splits(list(reversed(pairs)), seed)


def test_different_seeds_choose_different_records():
    groups = {f"r{i}": 1 for i in range(1_000)}
    a = assign_groups(groups, "therapeutic", 1)
    b = assign_groups(groups, "therapeutic", 2)
    assert a != b
    assert Counter(a.values()) == Counter(b.values())
