"""`python -m tasks.verify VERSION`: re-read a published version and check it against its manifest.

VERSION is a version folder (`out/mental-health-support/v3`) or an S3 URI
(`s3://bucket/prefix/mental-health-support/v3`, credentials from OVH_S3_* as for the pipeline).
It checks every file's sha256, size and line count, that nothing unlisted sits beside them, that each
stage's counts balance and match the quarantine and duplicates folders, that no record id is exported
twice and that no exported record failed a gate. It exits 1 and lists the first problems if any.
The export flow runs the same checks before it reports a version published.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

import orjson

from tasks.export.publish import MANIFEST, listed_files
from tasks.version_checks import check_files, count_problems, needs_body, record_problems
from tasks.version_reader import open_version, read_all

SHOWN = 20


class VersionInvalidError(RuntimeError):
    """A published version disagrees with its manifest."""


def verify(uri: str, client: Any | None = None) -> list[str]:
    """Every problem found in the version at `uri` (a folder or s3:// prefix); empty when it is sound."""
    reader = open_version(uri, client)
    try:
        manifest = orjson.loads(read_all(reader, MANIFEST))
    except FileNotFoundError:
        return [f"{reader.uri}: no {MANIFEST}; this is not a published version"]
    except orjson.JSONDecodeError as error:
        return [f"{MANIFEST}: not valid JSON ({error})"]
    problems = _number_problems(reader.uri, manifest)
    file_problems, intact = check_files(reader, listed_files(manifest), keep=needs_body)
    return problems + file_problems + count_problems(manifest) + record_problems(manifest, reader, intact)


def _number_problems(uri: str, manifest: dict[str, Any]) -> list[str]:
    folder = re.search(r"/v(\d+)/?$", uri)
    if folder and manifest.get("version") != int(folder.group(1)):
        return [f"{MANIFEST}: says version {manifest.get('version')} but sits in v{folder.group(1)}/"]
    return []


def report(uri: str, problems: list[str], shown: int = SHOWN) -> str:
    """The first `shown` problems, one a line, under a line that says how many there are."""
    lines = [f"{uri}: {len(problems)} problem(s); the version does not match its manifest"]
    lines += [f"  {p}" for p in problems[:shown]]
    if len(problems) > shown:
        lines.append(f"  … and {len(problems) - shown} more")
    return "\n".join(lines)


def require_valid(uri: str, client: Any | None = None) -> None:
    """Raise VersionInvalidError, listing the first problems, unless the version is sound."""
    problems = verify(uri, client)
    if problems:
        raise VersionInvalidError(
            report(uri, problems) + "\nDo not train on it; publish again from a fresh run, "
            "and look for whatever else writes to the output folder or bucket"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tasks.verify", description="Check a published version against its manifest."
    )
    parser.add_argument("version", help="a version folder or s3://bucket/prefix/{dataset}/v{N}")
    parser.add_argument("--show", type=int, default=SHOWN, help="how many problems to list")
    args = parser.parse_args(argv)
    problems = verify(args.version.rstrip("/"))
    if problems:
        print(report(args.version, problems, args.show), file=sys.stderr)
        return 1
    print(f"{args.version}: every file, count and record matches its manifest")
    return 0


if __name__ == "__main__":
    sys.exit(main())
