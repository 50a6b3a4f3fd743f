"""Cohort notebooks on a fresh kernel each vs on one warm kernel, side by side.

    .venv/bin/python benchmarks/kernel_reuse.py [--notebooks 8] [--cohort ulsan-peer/2019]

Validates one bundled cohort into a temporary folder, then runs the cohort notebook
``--notebooks`` times with stock papermill (a new kernel each: what the pipeline did
before ``peermentor.run.warmkernel``) and as many times on one warm kernel, each in a child
process so that its CPU (kernels included) is measured alone. Prints CPU seconds per
notebook for both and their ratio, after subtracting one notebook's worth (the first
notebook of the warm run pays the kernel's imports; per-cohort cost is the slope).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = textwrap.dedent("""
    import sys, papermill
    from peermentor.run import warmkernel
    kind, n, root, folder, program, year, published = sys.argv[1:]
    for i in range(int(n)):
        out = f"{folder}/{kind}{i}"
        params = dict(program=program, year=int(year), responses=f"{folder}/responses.csv",
                      codes=f"{folder}/codes.csv",
                      program_config=f"{root}/config/programs/{program}.yaml",
                      stats_path=f"{out}/stats.csv", figures_dir=f"{out}/figures",
                      published=published, waves="", small_cell_threshold=5)
        nb = f"{root}/notebooks/cohort.ipynb"
        if kind == "fresh":
            papermill.execute_notebook(nb, f"{out}.ipynb", parameters=params,
                                       kernel_name="python3", progress_bar=False)
        else:
            warmkernel.execute_notebook(nb, f"{out}.ipynb", params)
""")


def child_cpu(*args: str) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", CHILD, *args], check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=int, default=8)
    parser.add_argument("--cohort", default="ulsan-peer/2019")
    args = parser.parse_args()
    program, year = args.cohort.split("/")
    sys.path.insert(0, str(ROOT / "src"))
    from peermentor.ingest.config import load_program
    from peermentor.ingest.validate import run as validate

    with tempfile.TemporaryDirectory() as tmp:
        raw = ROOT / "data/raw" / program / year
        with open(Path(tmp) / "validate.log", "w") as log:
            validate(load_program(ROOT / f"config/programs/{program}.yaml"),
                     str(raw / "responses.csv") if (raw / "responses.csv").exists() else None,
                     str(raw / "codes.csv") if (raw / "codes.csv").exists() else None,
                     f"{tmp}/responses.csv", f"{tmp}/codes.csv", f"{tmp}/failures.csv",
                     log=log)
        published = ROOT / f"config/published/{program}.yaml"
        common = [str(ROOT), tmp, program, year, str(published) if published.exists() else ""]
        rows = []
        for kind in ("fresh", "warm"):
            one = child_cpu(kind, "1", *common)
            many = child_cpu(kind, str(args.notebooks), *common)
            rows.append((kind, one, many, (many - one) / (args.notebooks - 1)))
    print(f"`{' '.join(['.venv/bin/python', 'benchmarks/kernel_reuse.py', *sys.argv[1:]])}`"
          f" ({args.cohort}, {args.notebooks} notebooks)\n")
    print("| kernel | CPU, 1 notebook (s) | CPU, N notebooks (s) | CPU per extra notebook (s) |")
    print("| --- | --- | --- | --- |")
    for kind, one, many, per in rows:
        print(f"| {kind} | {one:.2f} | {many:.2f} | {per:.2f} |")
    print(f"\nwarm / fresh per extra notebook: {rows[1][3] / rows[0][3]:.2f}")


if __name__ == "__main__":
    main()
