from collections import Counter

import pytest

from tasks.preprocess.dedup import Fingerprint, fingerprint
from tasks.routing import Route, plan_routes, route
from tasks.split import group_of
from tests.factories import make_record


def prints(records):
    return [Fingerprint(fp=fingerprint(r), id=r.id, kind=r.kind.value, group=group_of(r)) for r in records]


def test_every_line_gets_exactly_one_fate_and_survivors_split_exactly():
    records = [make_record(user=f"worry number {i}") for i in range(100)]
    shards = [records[:60], records[60:] + records[:5]]  # five cross-shard duplicates
    routes = plan_routes([prints(s) for s in shards], seed=7)
    flat = [r for shard in routes for r in shard]
    assert all((r.split is None) != (r.duplicate_of is None) for r in flat)
    assert sum(r.duplicate_of is not None for r in flat) == 5
    assert Counter(r.split for r in flat if r.split) == {"train": 70, "validation": 15, "test": 15}


def test_route_refuses_a_plan_for_another_shard():
    with pytest.raises(ValueError, match="the plan is for another shard"):
        route([make_record()], [Route(split="train"), Route(split="test")])


def test_route_names_the_twin():
    record = make_record()
    by_split, duplicates = route([record, record], [Route(split="test"), Route(duplicate_of=record.id)])
    assert by_split["test"] == [record]
    assert duplicates[0].duplicate_of == record.id
