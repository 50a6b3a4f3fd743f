"""Quiet progress for ``./run.sh``: one line per finished cohort, the full log in a file.

Snakemake's own log (every job, its reason and resources) is thousands of lines at
consortium scale. ``./run.sh`` runs Snakemake through :func:`main`, which writes that
log unchanged to ``results/logs/snakemake/<time>.log`` and prints only one line per
finished cohort, with the time taken and an estimate of what is left, warnings and
errors, and a last line naming where the outputs are. ``./run.sh --verbose`` (and any
run that only reports, such as ``-n``) shows Snakemake's own output instead.

The parsing is a pure function of the log lines, so it can be tested on text:

>>> progress = Progress(clock=iter([0.0, 40.0]).__next__)
>>> for line in ["Job stats:", "cohort_report    2", "total            4", "",
...              "rule cohort_report:", "    jobid: 7", "    wildcards: program=unc-ssm, year=2019",
...              "2 of 4 steps (50%) done"]:
...     progress.feed(line)
>>> progress.feed("Finished jobid: 7 (Rule: cohort_report)")
'[1/2 cohorts] unc-ssm 2019 done   elapsed 0:40, about 0:13 left'

Before Snakemake has counted any step, the estimate goes by cohorts:

>>> progress = Progress(clock=iter([0.0, 10.0]).__next__)
>>> progress.cohorts_total = 3
>>> progress.feed("Finished jobid: 4 (Rule: cohort_report)")
'[1/3 cohorts] ? ? done   elapsed 0:10, about 0:20 left'
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

#: The rule whose job finishes a cohort (notebook, figures, statistics and HTML).
LAST_COHORT_RULE = "cohort_report"
#: Options after which the user wants Snakemake's own output, not a progress line.
VERBOSE_OPTIONS = {
    "-n", "--dry-run", "--dryrun", "-h", "--help", "--version", "-v", "--lint", "--report",
    "--summary", "-S", "--detailed-summary", "-D", "--list-rules", "-l", "--list-target-rules",
    "--dag", "--rulegraph", "--filegraph", "--list-changes", "--lc", "--list-code-changes",
    "--list-input-changes", "--list-params-changes", "--containerize", "--unlock",
    "--cleanup-metadata", "--delete-all-output", "--delete-temp-output", "--print-compilation",
}
OUTPUTS = ("start at results/site/index.html (every report and table); "
           "results/cohorts/<program>/<year>/report.html (one per cohort), "
           "results/comparison/summary.md, results/reproduction.csv")

_JOB = re.compile(r"^\s*(?:local)?rule (\w+):$")
_JOBID = re.compile(r"^\s*jobid: (\d+)$")
_WILDCARDS = re.compile(r"^\s*wildcards: (.*)$")
_FINISHED = re.compile(r"^\s*Finished jobid: (\d+) \(Rule: (\w+)\)")
_STEPS = re.compile(r"^\s*(\d+) of (\d+) steps \(.*\) done")
_STAT_ROW = re.compile(r"^(\w+)\s+(\d+)$")


def clock_text(seconds: float) -> str:
    """``h:mm:ss`` (or ``m:ss`` under an hour) for a number of seconds.

    >>> clock_text(59.6), clock_text(754), clock_text(3725)
    ('1:00', '12:34', '1:02:05')
    """
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """Follows Snakemake's log line by line; ``feed`` returns a line to show, or None."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.start = clock()
        self.jobs: dict[str, tuple[str, dict[str, str]]] = {}  # jobid: (rule, wildcards)
        self.cohorts_total = 0
        self.cohorts_done = 0
        self.steps = (0, 0)  # (done, total)
        self.nothing_to_do = False
        self._rule: str | None = None
        self._jobid: str | None = None
        self._in_stats = False
        self._in_error = False

    def feed(self, line: str) -> str | None:
        line = line.rstrip("\n")
        if self._in_error:
            if not line.strip():
                self._in_error = False
            return line or None
        if line.startswith(("Error in rule", "Error in group", "WorkflowError",
                            "MissingInputException", "Exiting because", "Validation failed",
                            "Error:", "IncompleteFilesException")):
            self._in_error = True
            return line
        if line.startswith("WARNING:"):
            return line
        if line.startswith("Job stats:"):
            self._in_stats = True
            return None
        if self._in_stats:
            match = _STAT_ROW.match(line.strip())
            if match and match.group(1) == LAST_COHORT_RULE:
                self.cohorts_total = int(match.group(2))
            if line.startswith("total"):
                self._in_stats = False
            return None
        if "Nothing to be done" in line:
            self.nothing_to_do = True
            return None
        if match := _JOB.match(line):
            self._rule, self._jobid = match.group(1), None
        elif (match := _JOBID.match(line)) and self._rule:
            self._jobid = match.group(1)
            self.jobs[self._jobid] = (self._rule, {})
        elif (match := _WILDCARDS.match(line)) and self._jobid:
            pairs = (part.split("=", 1) for part in match.group(1).split(", ") if "=" in part)
            self.jobs[self._jobid] = (self._rule, dict(pairs))
        elif match := _STEPS.match(line):
            self.steps = (int(match.group(1)), int(match.group(2)))
        elif match := _FINISHED.match(line):
            return self._finished(match.group(1), match.group(2))
        return None

    def _finished(self, jobid: str, rule: str) -> str | None:
        if rule != LAST_COHORT_RULE:
            return None
        _, wildcards = self.jobs.get(jobid, (rule, {}))
        self.cohorts_done += 1
        elapsed = self.clock() - self.start
        done, total = self.steps[0] + 1, self.steps[1]  # Snakemake counts this job next
        if total < done:  # no step count yet: go by cohorts
            done, total = self.cohorts_done, max(self.cohorts_total, self.cohorts_done)
        left = elapsed / done * (total - done)
        cohort = " ".join(wildcards.get(key, "?") for key in ("program", "year"))
        return (f"[{self.cohorts_done}/{self.cohorts_total or '?'} cohorts] {cohort} done   "
                f"elapsed {clock_text(elapsed)}, about {clock_text(left)} left")


def wants_snakemake_output(args: list[str]) -> bool:
    """True when the options ask Snakemake to report rather than build (``-n``, ``--lint``).

    >>> wants_snakemake_output(["-n"]), wants_snakemake_output(["--keep-going"])
    (True, False)
    """
    return any(arg.split("=", 1)[0] in VERBOSE_OPTIONS for arg in args)


def interrupted_outputs(workdir: str | Path = ".") -> int:
    """How many outputs an interrupted run left half-written.

    Snakemake marks each output of a running job in ``.snakemake/incomplete/`` and
    removes the mark when the job ends; marks left behind are what
    ``rerun-incomplete`` (profiles/default) rebuilds.
    """
    marks = Path(workdir, ".snakemake", "incomplete")
    if not marks.is_dir():
        return 0
    return sum(1 for p in marks.rglob("*") if p.is_file() and p.name != "migration_underway")


def main(argv: list[str] | None = None) -> int:
    """Run ``snakemake --cores all ARGS`` quietly (see the module docstring); its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    command = ["snakemake", "--cores", "all"]
    verbose = "--verbose" in args
    if verbose:
        args.remove("--verbose")
    if verbose or wants_snakemake_output(args):
        return subprocess.call(command + args)

    log_dir = Path("results/logs/snakemake")
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{datetime.now(UTC):%Y-%m-%dT%H%M%SZ}.log"
    print(f"Running the pipeline; Snakemake's full log: {log_path} (./run.sh --verbose shows it)",
          flush=True)
    half_written = interrupted_outputs()
    if half_written:
        print(f"Resuming an interrupted run: {half_written} half-written output(s) are rebuilt, "
              "finished ones are kept.", flush=True)
    progress = Progress()
    # Snakemake runs in its own session so that one Ctrl-C reaches it exactly once, from us.
    child = subprocess.Popen(command + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, bufsize=1, start_new_session=True)
    interrupted = False

    def forward(signum, _frame):
        nonlocal interrupted
        interrupted = True
        child.send_signal(signum)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        with log_path.open("w", encoding="utf-8") as log:
            for line in child.stdout:
                log.write(line)
                log.flush()
                shown = progress.feed(line)
                if shown is not None:
                    print(shown, flush=True)
        code = child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    elapsed = clock_text(time.monotonic() - progress.start)
    if interrupted:
        print(f"Interrupted after {elapsed}. Run ./run.sh again to finish: half-written outputs "
              "are rebuilt, finished ones are kept.", flush=True)
    elif code != 0:
        print(f"Failed after {elapsed} (exit code {code}); the errors are above, the full log "
              f"is {log_path}.", flush=True)
    elif progress.nothing_to_do:
        print(f"Everything is up to date. Outputs: {OUTPUTS}.", flush=True)
    else:
        print(f"Finished in {elapsed}: {progress.cohorts_done} cohort(s) built. "
              f"Outputs: {OUTPUTS}.", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
