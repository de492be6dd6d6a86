"""The issue's hostile case for real: publishing runs in PID namespaces that cannot see each other.

A second container sharing the output volume used to delete a live run's staging folder (its pid
was invisible there), and the live run then published a version missing files. Here the second run
is in its own PID namespace (`unshare --pid --fork --mount-proc`), like that container.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from flows.full_pipeline import run_pipeline
from tasks.storage.claim import CLAIM_SUFFIX
from tasks.storage.local import LocalVersionStore
from tasks.verify import VersionInvalidError
from tests.integration.conftest import REPO
from tests.integration.runs import storage_config

pytestmark = pytest.mark.integration

FILES = 40
RACE = [sys.executable, "-m", "tests.integration.publish_race"]
UNSHARE = ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"]


@pytest.fixture(scope="module")
def pid_namespaces() -> None:
    probe = subprocess.run([*UNSHARE, "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        # tests/unit/storage/test_local.py simulates the same case with a lock held for a foreign pid
        pytest.skip(f"cannot create PID namespaces here ({probe.stderr.strip()}); needs root or userns")


def start(*args: str, namespace: bool = False) -> subprocess.Popen[str]:
    command = [*UNSHARE, *RACE, *args] if namespace else [*RACE, *args]
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen[str]) -> dict:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return orjson.loads(out.strip().splitlines()[-1])


def wait_for(path: Path, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while not path.exists():
        assert process.poll() is None, process.communicate()[1]
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def verify(version: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tasks.verify", str(version)], cwd=REPO, capture_output=True, text=True
    )


@pytest.mark.usefixtures("pid_namespaces")
def test_a_run_in_another_pid_namespace_cannot_remove_a_live_runs_staging(tmp_path: Path) -> None:
    dataset, pause = tmp_path / "out" / "ds", tmp_path / "pause"
    pause.mkdir()
    live = start(str(dataset), str(tmp_path / "work"), "live", str(FILES), "--pause", str(pause))
    wait_for(pause / "staged", live)
    staging = Path((pause / "staged").read_text())
    staged = snapshot(staging)
    assert len(staged) == FILES

    # The other "container": it cannot see the live run's pid, opens the folder and publishes its own.
    other = finish(
        start(str(dataset), str(tmp_path / "work"), "other", "3", "--peer", str(live.pid), namespace=True)
    )
    assert other["peer_visible"] is False, "the hostile case needs the live run's pid to be invisible"
    assert other["pid_ns"] != os.readlink("/proc/self/ns/pid")
    assert other["version"] == 1
    assert snapshot(staging) == staged, "the live run's staging folder was touched"

    (pause / "go").touch()
    assert finish(live)["version"] == 2
    for number, files in ((1, 3), (2, FILES)):
        manifest = orjson.loads((dataset / f"v{number}" / "manifest.json").read_bytes())
        assert len(manifest["splits"]["train"]["files"]) == files
        checked = verify(dataset / f"v{number}")
        assert checked.returncode == 0, checked.stderr
    assert sorted(p.name for p in dataset.iterdir()) == ["v1", "v2"], "no staging folder or claim is left"


@pytest.mark.usefixtures("pid_namespaces")
def test_a_killed_run_in_another_namespace_is_cleaned_up_although_its_pid_exists_here(tmp_path: Path) -> None:
    dataset, pause = tmp_path / "out" / "ds", tmp_path / "pause"
    pause.mkdir()
    killed = start(str(dataset), str(tmp_path / "work"), "killed", "5", "--pause", str(pause), namespace=True)
    wait_for(pause / "staged", killed)
    staging = Path((pause / "staged").read_text())
    claim = orjson.loads(staging.with_name(staging.name + CLAIM_SUFFIX).read_bytes())
    assert claim["pid"] == 1  # pid 1 is alive in every namespace: a pid rule would keep this forever
    killed.send_signal(signal.SIGKILL)  # --kill-child takes the namespace's run down with it
    killed.wait(timeout=30)

    other = finish(start(str(dataset), str(tmp_path / "work"), "next", "2", namespace=True))
    assert other["version"] == 1
    assert sorted(p.name for p in dataset.iterdir()) == ["v1"], "the dead run's staging was removed"
    assert verify(dataset / "v1").returncode == 0


@pytest.fixture(scope="module")
def pipeline_version(tmp_path_factory: pytest.TempPathFactory) -> Path:
    state = run_pipeline(storage_config(tmp_path_factory.mktemp("verified"), therapeutic_samples=120))
    assert state.is_completed(), state.message  # the flow verified it before reporting it published
    return Path(state.result().path)


def test_verify_passes_on_a_pipeline_version_and_names_one_deleted_line_changed_byte_or_missing_file(
    pipeline_version: Path, tmp_path: Path
) -> None:
    assert verify(pipeline_version).returncode == 0
    manifest = orjson.loads((pipeline_version / "manifest.json").read_bytes())
    part = manifest["splits"]["train"]["files"][0]["path"]
    duplicates = (
        manifest["duplicates"]["files"][0]["path"] if manifest["duplicates"]["files"] else "README.md"
    )

    def delete_line(path: Path) -> None:
        path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[1:]))

    def change_byte(path: Path) -> None:
        body = bytearray(path.read_bytes())
        body[-2] ^= 1
        path.write_bytes(bytes(body))

    for name, damage, path, named in (
        (
            "line",
            delete_line,
            part,
            f"{part}: {manifest['splits']['train']['files'][0]['records'] - 1} lines",
        ),
        ("byte", change_byte, part, f"{part}: sha256"),
        ("file", Path.unlink, duplicates, f"{duplicates}: missing"),
    ):
        copy = tmp_path / name / "v1"
        shutil.copytree(pipeline_version, copy)
        damage(copy / path)
        checked = verify(copy)
        assert checked.returncode == 1 and named in checked.stderr, (name, checked.stderr)


def test_a_version_damaged_after_its_rename_fails_the_run(tmp_path: Path, monkeypatch) -> None:
    real_commit = LocalVersionStore.commit

    def commit_then_damage(self: LocalVersionStore, content_id: str, number: int, manifest: bytes) -> bool:
        done = real_commit(self, content_id, number, manifest)
        part = self.dataset_dir / f"v{number}" / "train" / "part-00000.jsonl"
        part.write_bytes(part.read_bytes()[:-1])  # another writer truncates a published file
        return done

    monkeypatch.setattr(LocalVersionStore, "commit", commit_then_damage)
    state = run_pipeline(storage_config(tmp_path, therapeutic_samples=60))
    assert state.is_failed()
    with pytest.raises(VersionInvalidError, match=r"train/part-00000.jsonl: sha256.*\n(.|\n)*Do not train"):
        state.result()
