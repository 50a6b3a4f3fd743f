"""Benchmarks of the pipeline at consortium scale (not part of the test suite).

    .venv/bin/python benchmarks/run.py           # sizes 300 and 1,000; no-op at 1,000 and 10,000
    .venv/bin/python benchmarks/run.py --quick   # sizes 5 and 15; no-op at 50 and 200; 100k rows

Each measurement runs in a fresh copy of the repository under --workdir (plus N
synthetic cohorts from benchmarks/cohorts.py) and is printed as a Markdown table with
the command that made it; paste it into docs/benchmarks.md. CPU seconds are those of
the measured process and all its children (user + system), so they do not depend on
what else runs on the machine the way wall time does.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from cohorts import copies, generate, write_responses  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
COPIED = ["Snakefile", "workflow", "config", "notebooks", "data", "environment.yml", "profiles"]
BIN = Path(sys.executable).parent
# An `scontrol` that fails at once, first on PATH: where SLURM is installed but slurmctld
# is not running, the SLURM executor plugin's `scontrol show config` at import waits
# ~9 s (wall, not CPU) in every Snakemake start; the benchmarks never use SLURM.
NO_SCONTROL = Path(tempfile.mkdtemp(prefix="peermentor-bench-bin-"))
(NO_SCONTROL / "scontrol").write_text("#!/bin/sh\nexit 1\n")
(NO_SCONTROL / "scontrol").chmod(0o755)
ENV = {**os.environ, "PATH": os.pathsep.join([str(NO_SCONTROL), str(BIN), os.environ["PATH"]])}
BASELINE = [sys.executable, "-c", "import pandas, scipy.stats, matplotlib.pyplot"]
# in the order they run by default
SECTIONS = ("script", "noop", "slurm", "rows", "big", "pipeline")


def machine_cpu() -> float:
    """CPU seconds every process of the machine has used since boot (``/proc/stat``:
    user, nice, system, irq, softirq, steal). A SLURM job's processes are not children
    of the command that submitted it, and a cluster without accounting cannot say what
    they used; on quiet cores the machine's own count can."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def measure(command: list[str], cwd: Path | None = None, env: dict | None = None) -> dict:
    """Wall seconds, CPU seconds (children, user + system), the machine's CPU seconds
    over the same time, and stdout of a command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    machine = machine_cpu()
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env or ENV, capture_output=True, text=True)
    wall = time.perf_counter() - start
    machine = machine_cpu() - machine
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout[-3000:]}"
                         f"{result.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "machine": machine, "out": result.stdout,
            "err": result.stderr}


def median_of(runs: int, command: list[str], cwd: Path | None = None) -> dict:
    results = [measure(command, cwd) for _ in range(runs)]
    return {key: float(np.median([r[key] for r in results])) for key in ("wall", "cpu")}


#: The two kinds of consortium measured: benchmarks/cohorts.py's synthetic design, and
#: copies of the bundled Ulsan and UNC cohorts (real codebooks, Ulsan's coded segments).
KINDS = {"synthetic": "synthetic cohorts", "copies": "copies of the Ulsan and UNC cohorts"}


def fresh(workdir: Path, n: int, respondents: int, kind: str = "synthetic") -> Path:
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    for name in COPIED:
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, workdir / name)
    made = copies(workdir, n) if kind == "copies" else generate(workdir, n, respondents)
    (workdir / "cohorts.txt").write_text("".join(f"{p} {y}\n" for p, y in made))
    return workdir


def made_cohorts(workdir: Path) -> list[tuple[str, int]]:
    """The (program, year) that :func:`fresh` wrote, in order."""
    return [(p, int(y)) for p, y in map(str.split, (workdir / "cohorts.txt").read_text()
                                         .splitlines())]


def snakemake(*args: str) -> list[str]:
    return [str(BIN / "snakemake"), *args]


PLAIN_SCRIPT = """
import matplotlib.pyplot as plt
from peermentor.ingest.config import load_program
from peermentor.ingest.validate import run as validate
analysis = compile(ANALYSIS, 'cohort', 'exec')
for raw, parameters in RUNS:
    with open(parameters['stats_path'] + '.validation.log', 'w') as log:
        validate(load_program(parameters['program_config']), raw.get('responses'),
                 raw.get('codes'), parameters['responses'], parameters['codes'],
                 parameters['stats_path'] + '.failures.csv', log)
    exec(analysis, dict(parameters))
    plt.close('all')
"""


def plain_script(workdir: Path, cohorts: list[tuple[str, int]]) -> list[str]:
    """The cohort job's work as one plain Python process running each cohort in turn:
    validation, then the notebook's code cells (a fresh namespace per cohort, imports
    paid once; no kernel, no nbconvert)."""
    import json

    cells = json.loads((workdir / "notebooks/cohort.ipynb").read_text())["cells"]
    analysis = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code"
                          and "parameters" not in c["metadata"].get("tags", []))
    runs = []
    for program, year in cohorts:
        folder = f"results/plain/{program}/{year}"
        (workdir / folder).mkdir(parents=True, exist_ok=True)
        raw = {name: f"data/raw/{program}/{year}/{name}.csv" for name in ("responses", "codes")
               if (workdir / f"data/raw/{program}/{year}/{name}.csv").is_file()}
        runs.append((raw, {  # the parameters cell's values, as cohort_report passes them
            "program": program, "year": year,
            "responses": f"{folder}/validated.responses.csv",
            "codes": f"{folder}/validated.codes.csv",
            "program_config": f"config/programs/{program}.yaml",
            "stats_path": f"{folder}/stats.csv", "shared_path": f"{folder}/shared_stats.csv",
            "figures_dir": f"{folder}/figures",
            "published": "", "waves": "", "small_cell_threshold": 5}))
    code = f"ANALYSIS = {analysis!r}\nRUNS = {runs!r}\n{PLAIN_SCRIPT}"
    return [sys.executable, "-c", code]


def row(*cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def per_cohort(args, baseline: dict) -> list[str]:
    """Whole pipeline at two sizes: CPU and wall per extra cohort, linear fit to 1,000."""
    small, large = args.sizes
    runs, idle = {}, {}
    for n in (small, large):
        workdir = fresh(args.workdir / f"n{n}", n, args.respondents)
        runs[n] = measure(snakemake("--cores", "2"), cwd=workdir)
        # the no-op after a real run: Snakemake also reads every output's run metadata
        idle[n] = median_of(3, snakemake("--cores", "2", "-n"), cwd=workdir)
    cpu_slope = (runs[large]["cpu"] - runs[small]["cpu"]) / (large - small)
    wall_slope = (runs[large]["wall"] - runs[small]["wall"]) / (large - small)
    wall_intercept = runs[small]["wall"] - wall_slope * small
    at_1000 = wall_intercept + wall_slope * 1000
    lines = [
        f"Whole pipeline, `snakemake --cores 2`, fresh copy + N synthetic cohorts of "
        f"{args.respondents} respondents (+ the 5 bundled studies):", "",
        row("N", "wall (s)", "CPU (s)", "then the no-op (`-n`, median of 3): wall (s)", "CPU (s)"),
        row("---", "---", "---", "---", "---"),
        *[row(n, f"{r['wall']:.1f}", f"{r['cpu']:.1f}", f"{idle[n]['wall']:.2f}",
              f"{idle[n]['cpu']:.2f}") for n, r in runs.items()], "",
        row("per extra cohort", "value", "goal"), row("---", "---", "---"),
        row("CPU", f"{cpu_slope:.2f} CPU-s = {cpu_slope / baseline['cpu']:.2f}x baseline",
            "<= 1.5x baseline"),
        row("wall (2 cores)", f"{wall_slope:.2f} s", ""),
        row("1,000 cohorts, linear fit", f"wall = {wall_intercept:.1f} s + {wall_slope:.3f} s "
            f"x N -> {at_1000 / 60:.1f} min", "<= 20 min"),
    ]
    if 1000 in runs:
        lines.append(row("1,000 cohorts, measured", f"{runs[1000]['wall'] / 60:.1f} min",
                         "<= 20 min"))
    return lines


def notebook_vs_script(args, baseline: dict) -> list[str]:
    """Per extra cohort: the cohort job (validation, executed notebook, HTML) against a
    plain script doing the same validation and analysis, each measured at 1 and at 6
    cohorts, for both kinds of consortium."""
    few, many = 1, 6
    lines = [
        f"CPU seconds for {few} and for {many} cohorts of one programme, each validated and "
        f"analysed; per extra cohort = the difference / {many - few} (start-ups cancel out):",
        "",
        row("cohorts", "what", f"{few} cohort (s)", f"{many} cohorts (s)",
            "per extra cohort (s)", "ratio"),
        row("---", "---", "---", "---", "---", "---")]
    for kind, label in KINDS.items():
        workdir = fresh(args.workdir / f"script-{kind}", many, args.respondents, kind)
        cohorts = made_cohorts(workdir)
        targets = [f"results/cohorts/{p}/{y}/report.html" for p, y in cohorts]
        measure(snakemake("--cores", "2", *targets), cwd=workdir)  # caches, fonts: warm
        plain, report = {}, {}
        for n in (few, many):
            shutil.rmtree(workdir / "results/plain", ignore_errors=True)
            plain[n] = measure(plain_script(workdir, cohorts[:n]), cwd=workdir)
            for path in ("results/cohorts", "results/validated"):  # the jobs' outputs
                shutil.rmtree(workdir / path, ignore_errors=True)
            report[n] = measure(snakemake("--cores", "1", *targets[:n]), cwd=workdir)
        script = (plain[many]["cpu"] - plain[few]["cpu"]) / (many - few)
        rules = (report[many]["cpu"] - report[few]["cpu"]) / (many - few)
        lines += [
            row(label, "plain script: validation and the notebook's code cells, one "
                "`python -c` for all cohorts", f"{plain[few]['cpu']:.2f}",
                f"{plain[many]['cpu']:.2f}", f"{script:.2f}", "1.00"),
            row(label, "the cohort job (validation, executed notebook, HTML): "
                "`snakemake --cores 1 <report.html targets>`",
                f"{report[few]['cpu']:.2f}", f"{report[many]['cpu']:.2f}", f"{rules:.2f}",
                f"{rules / script:.2f}x plain script")]
    return lines + ["", f"(goal: <= 1.3x on both; baseline, one Python start: "
                        f"{baseline['cpu']:.2f} CPU-s)"]


def cluster_missing() -> str | None:
    """Why no SLURM cluster takes jobs here (``.ci/slurm-up.sh`` starts one), or None."""
    if shutil.which("sinfo") is None:
        return "no SLURM client (sinfo) on PATH"
    states = subprocess.run(["sinfo", "--noheader", "--format=%t"], capture_output=True,
                            text=True, timeout=60)
    if states.returncode != 0 or not re.search(r"^(idle|mix|alloc)", states.stdout, re.M):
        return f"no SLURM node takes jobs ({(states.stderr or states.stdout).strip()})"
    return None


#: What a SLURM cluster job runs for each cohort of its group (snakemake-executor-plugin-
#: slurm-jobstep: `srun ... snakemake --target-jobs <one job> --mode remote`), here on a
#: workflow whose one rule writes one file: the Snakemake start every job step pays.
STEP_FLOOR_SNAKEFILE = """
rule cohort_report:
    output: "out/{program}/{year}.txt"
    run:
        open(output[0], "w").write("done")
"""
STEP_FLOOR_COMMAND = ["--target-jobs", "cohort_report:program=floor,year=2001",
                      "--allowed-rules", "cohort_report", "--cores", "1", "--force",
                      "--target-files-omit-workdir-adjustment", "--max-inventory-time", "0",
                      "--nocolor", "--no-hooks", "--nolock", "--ignore-incomplete",
                      "--mode", "remote", "--quiet", "all"]


def job_step_floor(workdir: Path, env: dict, runs: int = 5) -> dict:
    """Median CPU and wall of one SLURM job step's Snakemake on a one-rule workflow."""
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    (workdir / "Snakefile").write_text(STEP_FLOOR_SNAKEFILE)
    results = [measure(snakemake(*STEP_FLOOR_COMMAND), cwd=workdir, env=env)
               for _ in range(runs)]
    return {key: float(np.median([r[key] for r in results])) for key in ("wall", "cpu")}


def on_the_cluster(args) -> list[str]:
    """The whole pipeline through ``profiles/slurm`` on a running SLURM cluster beside the
    same pipeline run locally (default profile), at two sizes: CPU per extra cohort, and
    how many kernels the cluster jobs started. CPU is the machine's (``/proc/stat``) less
    what the idle machine used over as long, so the cores must be quiet."""
    reason = cluster_missing()
    if reason:
        return [f"SLURM section skipped: {reason}; start a one-node cluster with "
                "`sudo bash .ci/slurm-up.sh`."]
    small, large = (2, 10) if args.quick else (20, args.slurm)
    # the real scontrol, not the benchmarks' stand-in
    env = {**os.environ, "PATH": os.pathsep.join([str(BIN), os.environ["PATH"]])}
    idle_start, idle_wall = machine_cpu(), time.perf_counter()
    time.sleep(20)
    idle_rate = (machine_cpu() - idle_start) / (time.perf_counter() - idle_wall)
    how = {"local": snakemake("--cores", "2"),
           "slurm": snakemake("--profile", "profiles/slurm",
                              "--slurm-init-seconds-before-status-checks", "5")}
    runs, kernels, cluster_jobs = {}, {}, {}
    for n in (small, large):
        for name, command in how.items():
            workdir = fresh(args.workdir / f"{name}-{n}", n, args.respondents)
            result = measure(command, cwd=workdir, env=env)
            runs[(name, n)] = {**result, "children": result["cpu"],
                               "cpu": result["machine"] - idle_rate * result["wall"]}
            kernels[(name, n)] = len(list(workdir.glob("results/logs/kernels/*.log")))
            cluster_jobs[(name, n)] = len(re.findall(r"submitted with SLURM jobid",
                                                     result["out"] + result["err"]))
    extra = {name: (runs[(name, large)]["cpu"] - runs[(name, small)]["cpu"]) / (large - small)
             for name in how}
    step = job_step_floor(args.workdir / "job-step-floor", env)
    lines = [
        f"The whole pipeline (N synthetic cohorts of {args.respondents} respondents + the 5 "
        "bundled studies), locally (`snakemake --cores 2`, profiles/default: threads, warm "
        "kernels) and through `profiles/slurm` on the running cluster (`snakemake --profile "
        "profiles/slurm --slurm-init-seconds-before-status-checks 5`: cluster jobs of up to "
        "25 cohorts, 2 cores each). CPU: the machine's, from `/proc/stat`, less what it used "
        f"idle ({idle_rate:.3f} CPU-s per second over 20 s before the runs); a SLURM job's "
        "processes are not children of `snakemake`, and this cluster keeps no accounting.",
        "",
        row("where", "N", "cluster jobs", "kernels started", "wall (s)", "CPU (s)",
            "CPU of `snakemake` and its children (s)"),
        row(*["---"] * 7),
        *[row(name, n + 5, cluster_jobs[(name, n)], kernels[(name, n)],
              f"{runs[(name, n)]['wall']:.1f}", f"{runs[(name, n)]['cpu']:.1f}",
              f"{runs[(name, n)]['children']:.1f}")
          for n in (small, large) for name in how], "",
        "(the last column cannot see a cluster job's processes; for the local run it "
        "should agree with the machine's count, a check that the cores were quiet)", "",
        row("CPU per extra cohort", "local", "SLURM profile", "SLURM / local"),
        row("---", "---", "---", "---"),
        row(f"({runs[('local', large)]['cpu']:.1f} - {runs[('local', small)]['cpu']:.1f}) / "
            f"{large - small}", f"{extra['local']:.2f} CPU-s", f"{extra['slurm']:.2f} CPU-s",
            f"{extra['slurm'] / extra['local']:.2f}x"), "",
        "(goal: <= 1.2x the local figure)", "",
        "Snakemake's floor for a job step, same run: the command each cohort of a cluster job "
        "runs (`snakemake --target-jobs cohort_report:program=floor,year=2001 --mode remote "
        "...`, as the jobstep executor starts it) on a workflow whose one rule writes one "
        f"file, median of 5: {step['cpu']:.2f} CPU-s ({step['wall']:.2f} s wall), against "
        f"the {0.2 * extra['local']:.2f} CPU-s per cohort that 1.2x the local figure "
        f"leaves for the cluster ({step['cpu'] / (0.2 * extra['local']):.1f}x that)."]
    return lines


def make_outputs_up_to_date(workdir: Path) -> None:
    """Create every output as an empty file, in job order, so that Snakemake has nothing to do.

    Only the time Snakemake spends deciding that nothing is to be done is measured, so
    the outputs' content does not matter.
    """
    summary = measure(snakemake("--cores", "1", "--summary"), cwd=workdir)["out"]
    rules = "".join(p.read_text() for p in [workdir / "Snakefile",
                                             *(workdir / "workflow/rules").glob("*.smk")])
    directories = [  # the rules' directory() outputs, wildcards matching one path component
        re.compile(re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(pattern)) + "$")
        for pattern in re.findall(r'directory\(\s*"([^"]+)"', rules)]
    for line in summary.splitlines()[1:]:
        output = line.split("\t")[0]
        path = workdir / output
        if any(d.match(output) for d in directories):
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()
    measure(snakemake("--cores", "1", "--touch"), cwd=workdir)  # mtimes in job order
    check = measure(snakemake("--cores", "1", "-n"), cwd=workdir)
    assert "Nothing to be done" in check["out"] + check["err"], check["err"][-2000:]


FLOOR_SNAKEFILE = """\
import shutil

rule all:
    input: expand("out/{i}.txt", i=range(%d))

rule copy:
    input: "in/{i}.txt"
    output: "out/{i}.txt"
    run:
        shutil.copyfile(input[0], output[0])
"""
# The leanest workflow in which every cohort is still a job of its own: three inputs per
# cohort (notebook, responses, programme config), every output in one directory, and
# two jobs that read every cohort (a comparison, the site). Any design that keeps one job
# per cohort plans at least this much.
LEANEST_SNAKEFILE = """\
import os

COHORTS = range(%d)

rule all:
    input: "site"

rule cohort:
    input: notebook="notebook.txt", responses="in/{i}.txt", program="programs/{i}.txt"
    output: directory("out/{i}")
    run:
        os.makedirs(output[0])

rule comparison:
    input: expand("out/{i}", i=COHORTS)
    output: "comparison.csv"
    run:
        open(output[0], "w").close()

rule site:
    input: "comparison.csv", expand("out/{i}", i=COHORTS)
    output: directory("site")
    run:
        os.makedirs(output[0])
"""

# The same, with the files a cohort's job really has: validated data, notebook, stats,
# figures and HTML as outputs, the programme config found by an input function, and the
# stats read by four comparison jobs as well as the site.
COHORT_FILES_SNAKEFILE = """\
import os
import shutil

COHORTS = range(%d)
OUTPUTS = ["validated.csv", "report.ipynb", "stats.csv", "report.html"]

rule all:
    input: "site", expand("out/{i}/stats.csv", i=COHORTS)

rule cohort:
    input: notebook="notebook.txt", responses="in/{i}.txt", program=lambda w: f"programs/{w.i}.txt"
    output: *[f"out/{{i}}/{name}" for name in OUTPUTS], directory("out/{i}/figures")
    run:
        for path in output[:-1]:
            shutil.copyfile(input.responses, path)
        os.makedirs(output[-1])

for table in ("studies", "outcomes", "effects", "themes"):
    rule:
        name: f"{table}_table"
        input: expand("out/{i}/stats.csv", i=COHORTS)
        output: f"comparison/{table}.csv"
        run:
            open(output[0], "w").close()

rule site:
    input: expand("comparison/{t}.csv", t=("studies", "outcomes", "effects", "themes")),
           expand("out/{i}/report.html", i=COHORTS)
    output: directory("site")
    run:
        os.makedirs(output[0])
"""


def snakemake_floor(workdir: Path, jobs: int, template: str = FLOOR_SNAKEFILE) -> Path:
    """A workflow from `template` with `jobs` one-per-index jobs, all up to date: what
    planning any workflow of that shape costs Snakemake itself."""
    if workdir.exists():
        shutil.rmtree(workdir)
    (workdir / "in").mkdir(parents=True)
    (workdir / "programs").mkdir()
    (workdir / "Snakefile").write_text(template % jobs)
    (workdir / "notebook.txt").write_text("notebook\n")
    for i in range(jobs):
        (workdir / "in" / f"{i}.txt").write_text(f"{i}\n")
        (workdir / "programs" / f"{i}.txt").write_text(f"{i}\n")
    # as for the pipeline: running 10,000 jobs for real would take Snakemake most of an hour
    make_outputs_up_to_date(workdir)
    return workdir


def planned(workdir: Path, runs: int) -> dict:
    """Median wall and CPU of ``snakemake -n`` over ``runs`` runs, and its peak RSS."""
    results = [measure([sys.executable, "-c", PEAK_OF_CHILDREN,
                        *snakemake("--cores", "2", "-n")], cwd=workdir) for _ in range(runs)]
    median = {key: float(np.median([r[key] for r in results])) for key in ("wall", "cpu")}
    return {**median, "peak": max(float(r["out"].split()[-1]) for r in results),
            "out": results[-1]["out"]}


def noop(args) -> list[str]:
    """Planning at args.noop cohorts of both kinds and args.noop_large synthetic ones,
    each beside Snakemake's floor for a workflow with a cohort's files, same N, same run."""
    header = [
        "Planning at N cohorts (N counts the 5 bundled studies; median of 3, one run at the "
        "largest N). Dry run: nothing built; no-op: all up to date. Floor: the no-op of "
        "`COHORT_FILES_SNAKEFILE` with as many cohorts (one job per cohort with 3 inputs, one "
        "by an input function, and 4 files and a figures directory out; 4 comparison jobs "
        "and a site job): what Snakemake itself needs for a job graph of that shape.", "",
        row("cohorts", "N", "jobs", "dry run: wall (s)", "CPU (s)", "no-op: wall (s)",
            "CPU (s)", "peak RSS (MiB)", "floor no-op: wall (s)", "CPU (s)",
            "no-op / floor: wall", "CPU"),
        row(*["---"] * 12)]
    rows, per_cohort = [], {}
    sizes = [(kind, args.noop) for kind in KINDS] + (
        [("synthetic", args.noop_large)] if args.noop_large else [])
    for kind, n in sizes:
        runs = 1 if n == args.noop_large else 3
        workdir = fresh(args.workdir / f"noop-{kind}-{n}", n, 10, kind)
        dry = planned(workdir, runs)
        make_outputs_up_to_date(workdir)
        idle = planned(workdir, runs)
        jobs = int(re.search(r"^total\s+(\d+)$", dry["out"], re.M).group(1)) - 1  # not `all`
        bare = planned(snakemake_floor(args.workdir / f"floor-{n + 5}", n + 5,
                                       COHORT_FILES_SNAKEFILE), runs)
        per_cohort[(kind, n)] = idle
        rows.append(row(KINDS[kind], n + 5, jobs, f"{dry['wall']:.2f}", f"{dry['cpu']:.2f}",
                        f"{idle['wall']:.2f}", f"{idle['cpu']:.2f}", f"{idle['peak']:.0f}",
                        f"{bare['wall']:.2f}", f"{bare['cpu']:.2f}",
                        f"{idle['wall'] / bare['wall']:.2f}", f"{idle['cpu'] / bare['cpu']:.2f}"))
        if n == args.noop and kind == "synthetic":
            synthetic_workdir, synthetic_idle = workdir, idle
    lines = [*header, *rows, "",
             "(goals: no-op <= 3.0 s and <= 1.15x the floor at 1,005 cohorts of both kinds; "
             "dry run and no-op <= 30 s and <= 500 MiB at 10,005, linear in cohorts)"]
    if args.noop_large:
        small, large = per_cohort[("synthetic", args.noop)], per_cohort[
            ("synthetic", args.noop_large)]
        lines.append(f"No-op at {args.noop_large + 5} against {args.noop + 5} synthetic "
                     f"cohorts: {large['cpu'] / small['cpu']:.1f}x the CPU for "
                     f"{(args.noop_large + 5) / (args.noop + 5):.1f}x the cohorts.")
    return [*lines, "", *no_op_breakdown(args, synthetic_workdir, synthetic_idle)]


def no_op_breakdown(args, workdir: Path, idle: dict) -> list[str]:
    """Where the pipeline's no-op goes at the largest N, beside what planning one job
    per cohort costs Snakemake in the leanest workflow that still has one."""
    cohorts = args.noop + 5
    start = median_of(3, snakemake("--version"), cwd=workdir)
    parsed = median_of(3, snakemake("--list-rules"), cwd=workdir)
    one_rule = median_of(3, snakemake("--cores", "2", "-n"), cwd=snakemake_floor(
        args.workdir / f"floor{cohorts}-per-cohort", cohorts))
    leanest_workdir = snakemake_floor(args.workdir / f"leanest{cohorts}", cohorts,
                                      LEANEST_SNAKEFILE)
    leanest = median_of(3, snakemake("--cores", "2", "-n"), cwd=leanest_workdir)
    with_files = median_of(3, snakemake("--cores", "2", "-n"), cwd=snakemake_floor(
        args.workdir / f"cohort-files{cohorts}", cohorts, COHORT_FILES_SNAKEFILE))
    # what the pipeline's parsing adds to that of a workflow with nothing to load
    parse = parsed["wall"] - median_of(3, snakemake("--list-rules"), cwd=leanest_workdir)["wall"]
    return [
        f"Where the no-op goes at N = {cohorts}, and what one job per cohort costs "
        "Snakemake alone (median of 3 each):", "",
        row("what", "wall (s)", "CPU (s)"), row("---", "---", "---"),
        row("pipeline: Snakemake starts and loads its plugins (`snakemake --version`)",
            f"{start['wall']:.2f}", f"{start['cpu']:.2f}"),
        row("pipeline: + parses the workflow, discovers the cohorts, loads and validates "
            "every programme config (`snakemake --list-rules`)",
            f"{parsed['wall']:.2f}", f"{parsed['cpu']:.2f}"),
        row("pipeline: + plans its jobs, all up to date (`snakemake -n`)",
            f"{idle['wall']:.2f}", f"{idle['cpu']:.2f}"),
        row(f"one-rule workflow, one job per cohort ({cohorts} jobs, one input, one output)",
            f"{one_rule['wall']:.2f}", f"{one_rule['cpu']:.2f}"),
        row(f"leanest per-cohort workflow: {cohorts} cohort jobs (3 inputs, one directory "
            "output) read by a comparison and a site job",
            f"{leanest['wall']:.2f}", f"{leanest['cpu']:.2f}"),
        row(f"per-cohort workflow with a cohort's files: {cohorts} cohort jobs (3 inputs, one "
            "by an input function; 4 files and a figures directory out) read by 4 comparison "
            "jobs and a site job", f"{with_files['wall']:.2f}", f"{with_files['cpu']:.2f}"), "",
        "With parsing as it is, any design that keeps a job per cohort pays at least the "
        f"leanest workflow's {leanest['wall']:.2f} s plus what the pipeline's parsing adds "
        f"({parse:.2f} s: its `--list-rules` less the leanest workflow's): "
        f"{leanest['wall'] + parse:.2f} s.",
    ]


PEAK = """
def rss_mib(field):
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) for l in fh if l.startswith(field)) / 1024
"""
VALIDATE = PEAK + """
import sys
from peermentor.ingest.config import load_program
from peermentor.ingest.validate import validate_cohort
program = load_program(sys.argv[1])
imported = rss_mib("VmRSS:")
responses, _ = validate_cohort(program, sys.argv[2], None)
assert len(responses) == int(sys.argv[3])
print(imported, rss_mib("VmHWM:"))
"""
READ_CSV = PEAK + """
import sys, pandas
imported = rss_mib("VmRSS:")
pandas.read_csv(sys.argv[1], dtype=str)
print(imported, rss_mib("VmHWM:"))
"""


def validation(args) -> list[str]:
    workdir = fresh(args.workdir / "rows", 1, 10)
    path = workdir / "big.csv"
    write_responses(path, args.rows, seed=1)
    config = str(workdir / "config/programs/bench-000.yaml")
    runs = {
        "`validate_cohort` (peermentor.ingest.validate)": measure(
            [sys.executable, "-c", VALIDATE, config, str(path), str(args.rows)]),
        "`pandas.read_csv(path, dtype=str)` alone": measure(
            [sys.executable, "-c", READ_CSV, str(path)]),
    }
    table = [row("what", "wall (s)", "CPU (s)", "rows/s (wall)", "peak RSS (MiB)",
                 "peak over imports (MiB)"), row("---", "---", "---", "---", "---", "---")]
    growth = []
    for what, run in runs.items():
        imported, peak = map(float, run["out"].split())
        growth.append(peak - imported)
        table.append(row(what, f"{run['wall']:.1f}", f"{run['cpu']:.1f}",
                         f"{args.rows / run['wall']:,.0f}",
                         f"{peak:.0f}", f"{peak - imported:.0f}"))
    return [
        f"Validation of one file of {args.rows:,} rows ({path.stat().st_size / 2**20:.0f} MiB, "
        "the synthetic codebook), one process each (wall includes imports):", "", *table, "",
        f"Memory for the data: {growth[0] / growth[1]:.1f}x read_csv's (goal <= 2x); "
        "goal <= 10 s for 1,000,000 rows.",
    ]


PEAK_OF_CHILDREN = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:]).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)  # KiB on Linux
sys.exit(code)
"""


def big_cohort(args) -> list[str]:
    """One cohort of --big respondents through the pipeline's own rules (validate, report)."""
    workdir = fresh(args.workdir / "big", 1, args.big)
    program, year = "bench-000", 2001
    steps = {"cohort_report (validation, notebook, HTML)":
             f"results/cohorts/{program}/{year}/report.html"}
    table = [row("rule", "wall (s)", "CPU (s)", "peak RSS of its largest process (MiB)"),
             row("---", "---", "---", "---")]
    for rule, target in steps.items():
        run = measure([sys.executable, "-c", PEAK_OF_CHILDREN,
                       *snakemake("--cores", "2", target)], cwd=workdir)
        table.append(row(rule, f"{run['wall']:.1f}", f"{run['cpu']:.1f}",
                         f"{float(run['out'].split()[-1]):.0f}"))
    size = (workdir / f"data/raw/{program}/{year}/responses.csv").stat().st_size / 2**20
    return [
        f"One cohort of {args.big:,} respondents ({size:.0f} MiB, the synthetic codebook), "
        "built by `snakemake --cores 2 <target>` (each row includes a Snakemake start):", "",
        *table,
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/peermentor-benchmarks"))
    parser.add_argument("--sizes", type=int, nargs=2, default=[300, 1000])
    parser.add_argument("--noop", type=int, default=1000, help="cohorts for the no-op")
    parser.add_argument("--noop-large", type=int, default=10_000,
                        help="synthetic cohorts for the large no-op (0: skip it)")
    parser.add_argument("--slurm", type=int, default=100,
                        help="synthetic cohorts run through the SLURM profile (and locally)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--respondents", type=int, default=150)
    parser.add_argument("--big", type=int, default=500_000, help="respondents of the big cohort")
    parser.add_argument("--quick", action="store_true", help="small sizes, to try the script")
    parser.add_argument("--only", nargs="*", default=list(SECTIONS), choices=SECTIONS)
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.noop, args.noop_large = [5, 15], 50, 200
        args.rows, args.big = 100_000, 20_000
    print(f"Command: `{' '.join([Path(sys.executable).name, *sys.argv])}`  ")
    print(f"Machine: {os.cpu_count()} cores, {platform.python_implementation()} "
          f"{platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M %Z')}; "
          f"load average at start {os.getloadavg()[0]:.1f}\n")
    baseline = median_of(5, BASELINE)
    print(f"Baseline (one Python start, median of 5): `{' '.join(BASELINE[1:])}` = "
          f"{baseline['cpu']:.2f} CPU-s, {baseline['wall']:.2f} s wall\n", flush=True)
    sections = {"script": lambda: notebook_vs_script(args, baseline), "noop": lambda: noop(args),
                "slurm": lambda: on_the_cluster(args),
                "rows": lambda: validation(args), "big": lambda: big_cohort(args),
                "pipeline": lambda: per_cohort(args, baseline)}
    for name in args.only:
        print("\n".join(sections[name]()) + "\n", flush=True)


if __name__ == "__main__":
    main()
