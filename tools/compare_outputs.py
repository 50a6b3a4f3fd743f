"""Do two commits build the same outputs, byte for byte? (Refactors must not change them.)

    .venv/bin/python tools/compare_outputs.py BASE [OTHER] [--workdir DIR]

Exports each commit (``git archive``, tracked files only, so what a user added to
``data/raw/`` plays no part), runs the pipeline on the bundled studies and on a simulated
consortium (``python -m peermentor.simulate``) with that commit's own package first on
``PYTHONPATH``, and compares what a run shares: every table and text (``.csv``, ``.md``,
``.txt``), the results site and the cohort reports (``.html``) and the figures
(``.png``). Left out, on purpose: the logs (paths, times), the executed notebooks
(papermill records times in them) and the kernels' logs; ``results/logs/disclosure.csv``,
which is a result, is compared. Exits 1 naming every file that differs or exists on one
side only, and the first line where each text differs. OTHER defaults to HEAD.

The one line a clock writes, when the site was built, is left out of the comparison
(set ``SOURCE_DATE_EPOCH`` for a site that matches in that line too).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMPARED = (".csv", ".md", ".txt", ".html", ".png", ".svg")
#: The site's build time, the one text that differs between two builds of one commit.
BUILT = re.compile(rb"Built [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC")
SKIPPED_DIRS = ("results/logs/validate", "results/logs/cohort", "results/logs/kernels",
                "results/logs/snakemake", "results/logs/import")
#: The simulated consortium's size: every metric pools (two cohorts or more) and some
#: cells fall below the threshold, in a few minutes on two cores.
PROGRAMS, YEARS = 3, 2


def export(commit: str, dest: Path) -> Path:
    """The tracked files of ``commit`` under ``dest``."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", "--format=tar", commit], cwd=ROOT,
                             check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    return dest


def run(tree: Path, *args: str) -> None:
    """Snakemake (this venv's) in ``tree`` with the tree's own package imported."""
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    command = [sys.executable, "-m", "snakemake", "--cores", "2", "--quiet", "all", *args]
    result = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {tree}:\n{result.stderr[-4000:]}")


def build(commit: str, workdir: Path) -> dict[str, Path]:
    """The bundled run and the simulated consortium of one commit: {label: results dir}."""
    bundled = export(commit, workdir / "bundled")
    run(bundled)
    simulated = export(commit, workdir / "simulated")
    env = {**os.environ, "PYTHONPATH": str(simulated / "src")}
    # the commit's own simulator, wherever its package keeps it
    module = ("peermentor.ingest.simulate" if (simulated / "src/peermentor/ingest").is_dir()
              else "peermentor.simulate")
    subprocess.run([sys.executable, "-m", module, "--programs", str(PROGRAMS),
                    "--years", str(YEARS), "--seed", "1", "--out", "sim"],
                   cwd=simulated, env=env, check=True, capture_output=True)
    run(simulated, "--configfile", "sim/config.yaml")
    return {"bundled": bundled, "simulated": simulated}


def shared_files(tree: Path) -> set[str]:
    return {
        str(path.relative_to(tree)) for path in (tree / "results").rglob("*")
        if path.is_file() and path.suffix in COMPARED
        and not str(path.relative_to(tree)).startswith(SKIPPED_DIRS)
    }


def first_difference(name: str, a: bytes, b: bytes) -> str:
    if name.endswith(".png"):
        return f"an image, {len(a)} against {len(b)} bytes"
    lines_a = a.decode(errors="replace").splitlines()
    lines_b = b.decode(errors="replace").splitlines()
    for number, (line_a, line_b) in enumerate(zip(lines_a, lines_b, strict=False), start=1):
        if line_a != line_b:
            return f"line {number}:\n      - {line_a[:300]}\n      + {line_b[:300]}"
    return f"{len(lines_a)} against {len(lines_b)} lines"


def compare(base: Path, other: Path) -> list[str]:
    """One message per file that differs or exists on one side only."""
    left, right = shared_files(base), shared_files(other)
    problems = [f"only in the base: {name}" for name in sorted(left - right)]
    problems += [f"only in the other: {name}" for name in sorted(right - left)]
    for name in sorted(left & right):
        a, b = (BUILT.sub(b"Built", (tree / name).read_bytes()) for tree in (base, other))
        if a != b:
            problems.append(f"differs: {name}, {first_difference(name, a, b)}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base")
    parser.add_argument("other", nargs="?", default="HEAD")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/peermentor-compare"))
    args = parser.parse_args(argv)
    runs = {}
    for side, commit in (("base", args.base), ("other", args.other)):
        print(f"Building {commit} ({side}) under {args.workdir / side} ...", flush=True)
        runs[side] = build(commit, args.workdir / side)
    failed = False
    for label in ("bundled", "simulated"):
        base, other = runs["base"][label], runs["other"][label]
        problems = compare(base, other)
        print(f"{label}: {len(shared_files(base))} files compared, {len(problems)} differ")
        for problem in problems:
            print(f"  {problem}")
        failed |= bool(problems)
    print(f"Command: {Path(sys.executable).name} tools/compare_outputs.py {args.base} "
          f"{args.other}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
