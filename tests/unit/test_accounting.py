import pytest

from tasks.accounting import AccountingError, Counts, as_manifest, check_balanced, merge_counts


def test_merge_adds_per_kind():
    merged = merge_counts(
        [{"a": Counts(entered=2, kept=2)}, {"a": Counts(entered=1, quarantined=1), "b": Counts()}]
    )
    assert merged == {"a": Counts(entered=3, kept=2, quarantined=1), "b": Counts()}


def test_unbalanced_stage_names_stage_and_kind():
    with pytest.raises(AccountingError, match="stage 'dedup', kind 'bias': in=3"):
        check_balanced("dedup", {"bias": Counts(entered=3, kept=1, deduplicated=1)})


def test_balanced_stage_passes_and_serialises_with_in():
    counts = {"x": Counts(entered=3, kept=1, quarantined=1, deduplicated=1)}
    check_balanced("s", counts)
    assert as_manifest(counts) == {"x": {"in": 3, "kept": 1, "quarantined": 1, "deduplicated": 1}}
