"""The whole workflow through profiles/slurm on a real SLURM cluster equals a local run.

Needs a running cluster: `.ci/slurm-up.sh` (as root) starts a one-node one, and
.ci/run does so before the suite. Without one the test is skipped, saying why;
with PEERMENTOR_REQUIRE_SLURM=1 (set by .ci/run) it fails instead, so CI cannot
pass by skipping it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import add_user_cohort, fresh_copy

pytestmark = [pytest.mark.pipeline, pytest.mark.slurm]

TABLES = ["results/**/*.csv", "results/**/*.md"]


def cluster_missing() -> str | None:
    """Why no SLURM cluster can take jobs here, or None when one can."""
    if shutil.which("sinfo") is None or shutil.which("sbatch") is None:
        return "no SLURM client (sinfo/sbatch) on PATH; start a cluster with .ci/slurm-up.sh"
    try:
        states = subprocess.run(["sinfo", "--noheader", "--format=%t"], capture_output=True,
                                text=True, timeout=30)
    except subprocess.TimeoutExpired:
        return "sinfo did not answer within 30 s; start a cluster with .ci/slurm-up.sh"
    if states.returncode != 0:
        return f"no SLURM controller answers ({states.stderr.strip()}); run .ci/slurm-up.sh"
    if not re.search(r"^(idle|mix|alloc)", states.stdout, flags=re.MULTILINE):
        return f"no SLURM node is up (sinfo: {states.stdout.split()}); run .ci/slurm-up.sh"
    return None


@pytest.fixture
def cluster():
    reason = cluster_missing()
    if reason and os.environ.get("PEERMENTOR_REQUIRE_SLURM") == "1":
        pytest.fail(reason)
    if reason:
        pytest.skip(reason)


def tables(workdir: Path) -> dict[Path, bytes]:
    found = {}
    for pattern in TABLES:
        for path in workdir.glob(pattern):
            rel = path.relative_to(workdir)
            if rel.parts[1] != "logs":
                found[rel] = path.read_bytes()
    return found


def test_slurm_profile_run_equals_local_run(cluster, built, tmp_path):
    workdir = fresh_copy(tmp_path / "repo")
    add_user_cohort(workdir)  # the same cohorts as the local run
    exe = shutil.which("snakemake") or str(Path(sys.executable).with_name("snakemake"))
    # First status check after 5 s (the plugin's default, 40 s, suits a busy real cluster).
    command = [exe, "--profile", "profiles/slurm", "--slurm-init-seconds-before-status-checks", "5"]
    result = subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=1800)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    submitted = re.findall(r"submitted with SLURM jobid (\d+)", output)
    assert submitted, "no job went through SLURM"
    # Each cohort's validation, notebook and HTML go to the cluster as one group job.
    assert len(submitted) < len(re.findall(r"^\s*(?:local)?rule \w+:", output, re.MULTILINE))
    local, cluster_run = tables(built), tables(workdir)
    assert Path("results/comparison/studies.csv") in local
    assert Path("results/reproduction.csv") in local
    assert sorted(cluster_run) == sorted(local)
    for rel, content in local.items():
        assert cluster_run[rel] == content, rel
    for report in built.glob("results/cohorts/*/*/report.html"):
        assert (workdir / report.relative_to(built)).stat().st_size > 0
    # Each cohort of a cluster job is a job step of its own (a Snakemake process); the
    # steps share the warm kernel the cluster job's own process hosts, so the cohorts
    # started no kernel of their own (peermentor.run.warmkernel).
    cohort_logs = sorted(workdir.glob("results/logs/cohort/*/*.log"))
    assert len(cohort_logs) == len(list(built.glob("results/cohorts/*/*/report.html")))
    for log in cohort_logs:
        assert "ran on the kernel this SLURM job hosts" in log.read_text(), log
    kernels = sorted(p.name for p in workdir.glob("results/logs/kernels/*.log"))
    assert kernels and all(name.startswith("slurm-job-") for name in kernels), kernels
