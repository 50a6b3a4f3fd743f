"""Notebooks run one after another on a warm kernel equal those run each on a fresh one.

Two bundled cohorts of different shapes are validated into a temporary folder, then
executed (a) by stock papermill, a new kernel each, and (b) by
``peermentor.run.warmkernel`` on one kernel, in the opposite order, twice over, so state
left by either notebook would show in the other. Outputs, execution counts, stats and
figures must match; only papermill's timings and cell ids may differ.
"""

from __future__ import annotations

import json
import tempfile
import threading
from pathlib import Path

import papermill
import pytest

from peermentor.ingest.config import load_program
from peermentor.ingest.validate import run as validate
from peermentor.run import warmkernel

ROOT = Path(__file__).resolve().parents[1]
COHORTS = [("ulsan-peer", "2019"), ("tums-dual", "2012")]

pytestmark = pytest.mark.pipeline


def _parameters(folder: Path, program: str, year: str) -> dict:
    published = ROOT / f"config/published/{program}.yaml"
    return {
        "program": program, "year": int(year),
        "responses": str(folder / "responses.csv"), "codes": str(folder / "codes.csv"),
        "program_config": str(ROOT / f"config/programs/{program}.yaml"),
        "stats_path": str(folder / "stats.csv"),
        "shared_path": str(folder / "shared_stats.csv"), "figures_dir": str(folder / "figures"),
        "published": str(published) if published.exists() else "", "waves": "",
        "small_cell_threshold": 5,
    }


def _cells(path: Path) -> list[dict]:
    """Code cells without papermill's timings and ids; paths made relative to the run."""
    cells = []
    for cell in json.loads(path.read_text())["cells"]:
        cell = {k: v for k, v in cell.items() if k not in ("id", "metadata")}
        cells.append(json.loads(json.dumps(cell).replace(str(path.parents[1]), "RUN")))
    return cells


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    base = tmp_path_factory.mktemp("warm")
    for program, year in COHORTS:
        raw = ROOT / "data/raw" / program / year
        out = base / "validated" / program
        out.mkdir(parents=True)
        with open(base / f"{program}.log", "w") as log:
            validate(load_program(ROOT / f"config/programs/{program}.yaml"),
                     str(raw / "responses.csv") if (raw / "responses.csv").exists() else None,
                     str(raw / "codes.csv") if (raw / "codes.csv").exists() else None,
                     str(out / "responses.csv"), str(out / "codes.csv"),
                     str(base / f"{program}.failures.csv"), log=log)
    return base


def test_warm_kernel_notebooks_equal_fresh_kernel_notebooks(validated):
    def run(kind: str, order: list[tuple[str, str]], rounds: int = 1) -> None:
        for round_ in range(rounds):
            for program, year in order:
                folder = validated / f"{kind}{round_}" / program
                folder.mkdir(parents=True)
                for name in ("responses.csv", "codes.csv"):
                    (folder / name).symlink_to(validated / "validated" / program / name)
                params = _parameters(folder, program, year)
                if kind == "fresh":
                    papermill.execute_notebook(ROOT / "notebooks/cohort.ipynb",
                                               folder / "report.ipynb", parameters=params,
                                               kernel_name="python3", progress_bar=False)
                else:
                    warmkernel.execute_notebook(str(ROOT / "notebooks/cohort.ipynb"),
                                                str(folder / "report.ipynb"), params)

    run("fresh", COHORTS)
    # in a thread of its own, as under Snakemake, and in the other order, twice
    thread = threading.Thread(target=run, args=("warm", COHORTS[::-1], 2))
    thread.start()
    thread.join()
    warm_kernels = list(warmkernel._started)
    assert len(warm_kernels) == 1  # one kernel ran all four notebooks
    warmkernel.shutdown_all()

    for program, _ in COHORTS:
        fresh = validated / "fresh0" / program
        for round_ in (0, 1):
            warm = validated / f"warm{round_}" / program
            assert _cells(warm / "report.ipynb") == _cells(fresh / "report.ipynb"), program
            assert (warm / "stats.csv").read_bytes() == (fresh / "stats.csv").read_bytes()
            figures = sorted(p.name for p in (fresh / "figures").iterdir())
            assert figures and figures == sorted(p.name for p in (warm / "figures").iterdir())
            for name in figures:
                assert (warm / "figures" / name).read_bytes() == (
                    fresh / "figures" / name).read_bytes(), name
        counts = [c.get("execution_count") for c in _cells(fresh / "report.ipynb")
                  if c["cell_type"] == "code"]
        assert counts[0] == 1 and counts == list(range(1, len(counts) + 1))


def test_a_failing_notebook_takes_its_kernel_with_it(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text(json.dumps({
        "cells": [{"cell_type": "code", "execution_count": None, "id": "a", "metadata": {},
                   "outputs": [], "source": "raise ValueError('broken cohort')"}],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5}))
    first = warmkernel.warm_kernel()
    with pytest.raises(papermill.PapermillExecutionError, match="broken cohort"):
        warmkernel.execute_notebook(str(bad), str(tmp_path / "out.ipynb"), {})
    # papermill writes the notebook only at the end, and a failing one too: with the error
    assert "broken cohort" in (tmp_path / "out.ipynb").read_text()
    assert not warmkernel._started and warmkernel.warm_kernel() is not first
    warmkernel.shutdown_all()
    assert not warmkernel._started


def _notebook(path: Path, source: str) -> Path:
    path.write_text(json.dumps({
        "cells": [{"cell_type": "code", "execution_count": None, "id": "a", "metadata": {},
                   "outputs": [], "source": source}],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5}))
    return path


def test_cohort_steps_of_a_slurm_job_share_the_kernel_it_hosts(tmp_path, monkeypatch):
    """As on the cluster: the job's process hosts a kernel, each cohort's step (here the
    same process, through the announced connection file) runs on it, and a failing
    notebook retires it so that later steps start their own."""
    monkeypatch.setenv("SLURM_JOB_ID", "424242")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert warmkernel.host_kernel(log_path=str(tmp_path / "host.log"))
    host = list(warmkernel._started)
    assert len(host) == 1
    counter = _notebook(tmp_path / "count.ipynb", "x = globals().get('x', 0) + 1\nprint(x)")
    for i in range(2):
        which = warmkernel.execute_notebook(str(counter), str(tmp_path / f"out{i}.ipynb"), {})
        assert which == "the kernel this SLURM job hosts"
        # the reset between cohorts: each notebook starts from an empty namespace
        out = json.loads((tmp_path / f"out{i}.ipynb").read_text())["cells"][-1]["outputs"]
        assert "".join(out[0]["text"]) == "1\n"
    assert warmkernel._started == host  # no kernel started for the cohorts
    bad = _notebook(tmp_path / "bad.ipynb", "raise ValueError('broken cohort')")
    with pytest.raises(papermill.PapermillExecutionError, match="broken cohort"):
        warmkernel.execute_notebook(str(bad), str(tmp_path / "bad-out.ipynb"), {})
    assert not (tmp_path / "peermentor-kernel-424242/kernel.json").exists()
    which = warmkernel.execute_notebook(str(counter), str(tmp_path / "out-after.ipynb"), {})
    assert which == "this thread's kernel"
    warmkernel.shutdown_all()
    assert not warmkernel._started
    assert not (tmp_path / "peermentor-kernel-424242").exists()
