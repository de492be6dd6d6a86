import os

import orjson

from tasks.storage.claim import CLAIM_SUFFIX, StagingClaim, remove_abandoned


def test_a_claim_names_its_owner_for_the_operator_and_is_locked_under_its_final_name(tmp_path):
    claim = StagingClaim.take(tmp_path, ".staging-x-")
    body = orjson.loads(claim.path.read_bytes())
    assert body["pid"] == os.getpid() and body["host"] and body["boot_id"] and body["pid_namespace"]
    assert [p.name for p in tmp_path.iterdir()] == [claim.staging.name + CLAIM_SUFFIX]
    assert remove_abandoned(tmp_path, ".staging-") == []
    claim.release()
    assert list(tmp_path.iterdir()) == []


def test_a_claim_cut_short_before_its_final_name_is_removed(tmp_path):
    half = tmp_path / f".staging-x-abc{CLAIM_SUFFIX}.new"
    half.write_bytes(b"")
    assert remove_abandoned(tmp_path, ".staging-") == [tmp_path / ".staging-x-abc"]
    assert list(tmp_path.iterdir()) == []


def test_only_unlocked_claims_lose_their_folders(tmp_path):
    live, dead = (StagingClaim.take(tmp_path, ".staging-x-") for _ in range(2))
    for claim in (live, dead):
        (claim.staging / "train").mkdir(parents=True)
    os.close(dead.fd)
    assert remove_abandoned(tmp_path, ".staging-") == [dead.staging]
    assert live.staging.is_dir() and live.path.exists() and not dead.path.exists()
    live.release()
