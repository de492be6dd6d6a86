import os
import subprocess
import sys
from pathlib import Path

from tasks.synthesis.engine import shard_seed

REPO = Path(__file__).resolve().parents[3]
PROBE = "from tasks.synthesis.therapeutic import synthesize; print(*[r.id for r in synthesize(40, 7, 3)[0]])"


def test_shard_seeds_differ_per_shard_and_generator_but_not_per_call():
    assert shard_seed(1, "g", 0) == shard_seed(1, "g", 0)
    assert len({shard_seed(1, "g", i) for i in range(100)}) == 100
    assert shard_seed(1, "g", 0) != shard_seed(1, "h", 0) != shard_seed(2, "g", 0)


def test_rows_are_identical_across_processes_whatever_their_hash_seed():
    """A resumed run is a new process; Data Designer's set-ordered sampler DAG once broke this."""
    outputs = {
        subprocess.run(
            [sys.executable, "-c", PROBE],
            cwd=REPO,
            env=os.environ | {"PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for hash_seed in ("1", "2", "3")
    }
    assert len(outputs) == 1 and len(outputs.pop().split()) == 40
