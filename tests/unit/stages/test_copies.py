import pytest

from tasks.preprocess.dedup import Duplicate
from tasks.shards import write_shard
from tasks.stages.copies import Copy, content_prints, plan_copies, plan_copies_task, read_originals
from tests.factories import make_record

FIRST = make_record(user="My exams are next week and I cannot focus.", assistant="What worries you most?")
OTHER = make_record(user="I moved flats and miss my old street.", assistant="What do you miss?")


def _with_id(record_id: str, record=FIRST):
    return record.model_copy(update={"id": record_id})


def _copy(line: int, record_id: str, twin: str) -> Copy:
    return Copy(line=line, id=record_id, kind="therapeutic", duplicate_of=twin)


def test_the_lowest_id_of_each_content_is_kept_across_shards_and_the_rest_name_it():
    shards = [content_prints([_with_id("c"), OTHER]), content_prints([_with_id("a"), _with_id("b")])]

    assert plan_copies(shards) == [[_copy(0, "c", "a")], [_copy(1, "b", "a")]]


def test_a_shard_without_copies_gets_no_copy_list(tmp_path):
    prints = [
        write_shard(tmp_path / "0.jsonl", content_prints([_with_id("b"), OTHER])),
        write_shard(tmp_path / "1.jsonl", content_prints([_with_id("a")])),
    ]

    lists = plan_copies_task.fn([prints[0], None, prints[1]], str(tmp_path / "work"))

    assert lists[1] is None and lists[2] is None
    assert lists[0] is not None and lists[0].records == 1


def test_copies_are_skipped_when_the_shard_is_read_and_listed_as_duplicates(tmp_path):
    shard = write_shard(tmp_path / "in.jsonl", [FIRST, _with_id("copy"), OTHER])
    copy = _copy(1, "copy", FIRST.id)

    assert read_originals(shard, [copy]) == [FIRST, OTHER]
    assert copy.duplicate() == Duplicate(id="copy", kind="therapeutic", duplicate_of=FIRST.id)


def test_a_plan_for_another_shard_is_refused(tmp_path):
    shard = write_shard(tmp_path / "in.jsonl", [FIRST, OTHER])

    with pytest.raises(ValueError, match=r"names lines \[3\].*for another shard"):
        read_originals(shard, [_copy(3, "x", FIRST.id)])
