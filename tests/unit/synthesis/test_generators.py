"""What every offline generator promises: the same seed gives the same records, another seed others."""

import pytest

from tasks.synthesis import bias, edge_cases, therapeutic
from tasks.synthesis.engine import generate_rows


@pytest.mark.parametrize(("generator", "count"), [(therapeutic, 50), (bias, 40), (edge_cases, 60)])
def test_same_seed_same_records_other_seed_others(generator, count):
    a, _ = generator.synthesize(count, run_seed=1, shard_index=0)
    b, _ = generator.synthesize(count, run_seed=1, shard_index=0)
    c, _ = generator.synthesize(count, run_seed=2, shard_index=0)
    assert a == b and len(a) == count
    assert [r.id for r in a] != [r.id for r in c]


def test_zero_rows_need_no_engine_run():
    assert generate_rows(builder=None, count=0, seed=1) == []
