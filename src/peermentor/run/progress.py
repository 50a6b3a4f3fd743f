"""Quiet progress for ``./run.sh``: one line per finished cohort and per step after the
cohorts (comparison tables, reproduction, site), the full log in a file.

Snakemake's own log (every job, its reason and resources) is thousands of lines at
consortium scale. ``./run.sh`` runs Snakemake through :func:`main`, which writes that
log unchanged to ``results/logs/snakemake/<time>.log`` and prints only one line per
finished cohort, with the time taken and an estimate of what is left, one line per
comparison, reproduction and site step with the time it took, warnings and
errors, and a last line naming where the outputs are. ``./run.sh --verbose`` (and any
run that only reports, such as ``-n``) shows Snakemake's own output instead.

Everywhere else the rules (``workflow/rules/``) name every file under ``results/``; this
module is the one place outside them that does (``SNAKEMAKE_LOGS``, ``OUTPUTS``): it
opens its log before Snakemake reads the rules and names the outputs after Snakemake has
exited. ``tests/test_run.py`` checks that a run writes the files ``OUTPUTS`` names.

The parsing is a pure function of the log lines, so it can be tested on text:

>>> progress = Progress(clock=iter([0.0, 40.0]).__next__)
>>> for line in ["Job stats:", "cohort_report    2", "total            4", "",
...              "rule cohort_report:", "    jobid: 7", "    wildcards: program=unc-ssm, year=2019",
...              "2 of 4 steps (50%) done"]:
...     progress.feed(line)
>>> progress.feed("Finished jobid: 7 (Rule: cohort_report)")
'[1/2 cohorts] unc-ssm 2019 done   elapsed 0:40, about 0:13 left'

The steps after the cohorts (comparison tables, reproduction, the site) show the time
each took:

>>> progress = Progress(clock=iter([0.0, 50.0, 53.5]).__next__)
>>> for line in ["rule pooled_table:", "    jobid: 3"]:
...     progress.feed(line)
>>> progress.feed("Finished jobid: 3 (Rule: pooled_table)")
'[comparison] pooled estimates and forest plots done in 0:04   elapsed 0:54'

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
#: The steps after the cohorts, each shown with the time it took: rule -> (stage, what).
STEPS = {
    "studies_table": ("comparison", "study characteristics"),
    "outcomes_table": ("comparison", "outcomes by construct"),
    "effects_table": ("comparison", "between-role effects"),
    "pooled_table": ("comparison", "pooled estimates and forest plots"),
    "trends_table": ("comparison", "trends over years"),
    "themes_table": ("comparison", "theme crosswalk"),
    "comparison_summary": ("comparison", "summary.md"),
    "reproduction_tables": ("reproduction", "published values and audit"),
    "site": ("site", "results site"),
}
#: Options after which the user wants Snakemake's own output, not a progress line.
VERBOSE_OPTIONS = {
    "-n", "--dry-run", "--dryrun", "-h", "--help", "--version", "-v", "--lint", "--report",
    "--summary", "-S", "--detailed-summary", "-D", "--list-rules", "-l", "--list-target-rules",
    "--dag", "--rulegraph", "--filegraph", "--list-changes", "--lc", "--list-code-changes",
    "--list-input-changes", "--list-params-changes", "--containerize", "--unlock",
    "--cleanup-metadata", "--delete-all-output", "--delete-temp-output", "--print-compilation",
}
#: Where Snakemake's full log of each run goes, and the outputs the last line names.
SNAKEMAKE_LOGS = "results/logs/snakemake"
OUTPUTS = ("start at results/site/index.html (every report and table); "
           "results/cohorts/<program>/<year>/report.html (one per cohort), "
           "results/comparison/summary.md, results/reproduction.csv")

_JOB = re.compile(r"^\s*(?:local)?rule (\w+):$")
_JOBID = re.compile(r"^\s*jobid: (\d+)$")
_WILDCARDS = re.compile(r"^\s*wildcards: (.*)$")
_FINISHED = re.compile(r"^\s*Finished jobid: (\d+) \(Rule: (\w+)\)")
_STEPS = re.compile(r"^\s*(\d+) of (\d+) steps \(.*\) done")
_STAT_ROW = re.compile(r"^(\w+)\s+(\d+)$")
#: Snakemake's line above an exception's message: ``ConfigError in file "x.smk", line 26:``,
#: ``MissingInputException in rule r in file ...``, or the bare name (``WorkflowError:``).
_EXCEPTION = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Failed|Exit))"
                        r"(?: in (?:rule \w+ in )?(?:file|line) .*)?:$")
#: Exceptions whose message says nothing to a user (a script's exit status): the job's
#: log, shown under its "Error in rule" line, says why.
_HIDDEN_EXCEPTIONS = {"CalledProcessError"}
_ALL_JOBS_LINE = "At least one job did not complete successfully."
#: Snakemake's lines that only point elsewhere ("look above", "check the log").
_NOISE = ("RuleException:", "Shutting down, this might take some time.",
          "Exiting because a job execution failed. Look above for error messages",
          "Complete log(s):", "Will exit after finishing currently running jobs")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
LOG_LINES = 40  # at most this many lines of a failed job's log on the console


def _ends_message(line: str) -> bool:
    """Whether a line ends an exception's message: its traceback, or the next log entry."""
    return (not line.strip() or line.startswith(('  File "', "Traceback", "Error in rule",
                                                 "Error in group", "["))
            or bool(_EXCEPTION.match(line)))


def _log_tail(paths: list[str]) -> list[str]:
    """The last lines of a failed job's log files (colour codes dropped)."""
    lines: list[str] = []
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        lines += [_ANSI.sub("", ln).rstrip() for ln in text.splitlines() if ln.strip()]
    if len(lines) > LOG_LINES:
        lines = [f"... ({len(lines) - LOG_LINES} earlier lines in the log)", *lines[-LOG_LINES:]]
    return lines


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
        self.errors_shown = 0  # error messages shown on the console
        self._exception: list[str] | None = None  # message lines of an exception being read
        self._exception_name = ""
        self._error_block: list[str] | None = None  # an "Error in rule" block being read
        self._message_shown = False  # an exception's message shown since the last block
        self.started: dict[str, float] = {}  # jobid: when a step after the cohorts started

    def feed(self, line: str) -> str | None:
        """The text to show for one line of Snakemake's log (maybe several lines), or None."""
        line = line.rstrip("\n")
        if self._exception is not None or self._error_block is not None:
            return self._feed_block(line)
        if match := _EXCEPTION.match(line):
            self._exception_name = match.group(1)
            self._exception = []
            return None
        if line.startswith(("Error in rule", "Error in group")):
            self._error_block = [line]
            return None
        if line.startswith(_NOISE) or line.strip() in _NOISE:
            return None
        if line.startswith(("MissingInputException", "IncompleteFilesException",
                            "Validation failed", "Error:", "ERROR:")):
            self.errors_shown += 1
            return line
        if line.lower().startswith(("warning:", "note:", "results site")):
            return line
        if line.startswith("Job stats:") or self._in_stats:
            self._job_stats(line)
            return None
        if "Nothing to be done" in line:
            self.nothing_to_do = True
            return None
        return self._follow_jobs(line)

    def _feed_block(self, line: str) -> str | None:
        """A line while an exception's message or an error block is being collected: kept,
        or, where the block ends, the block's text and what this line shows."""
        if self._exception is not None:
            if not _ends_message(line):
                self._exception.append(line)
                return None
            shown = self._end_exception()
        else:
            if line.startswith((" ", "\t")) and line.strip():
                self._error_block.append(line.strip())
                return None
            shown = self._end_error_block()
        rest = self.feed(line)
        return "\n".join(t for t in (shown, rest) if t) or None

    def _job_stats(self, line: str) -> None:
        """A line of Snakemake's job-count table: how many cohorts the run has."""
        if line.startswith("Job stats:"):
            self._in_stats = True
            return
        match = _STAT_ROW.match(line.strip())
        if match and match.group(1) == LAST_COHORT_RULE:
            self.cohorts_total = int(match.group(2))
        if line.startswith("total"):
            self._in_stats = False

    def _follow_jobs(self, line: str) -> str | None:
        """Which job starts (rule, id, wildcards), the step count, and a finished job's
        line."""
        if match := _JOB.match(line):
            self._rule, self._jobid = match.group(1), None
        elif (match := _JOBID.match(line)) and self._rule:
            self._jobid = match.group(1)
            self.jobs[self._jobid] = (self._rule, {})
            if self._rule in STEPS:  # Snakemake lists a job when it starts it
                self.started[self._jobid] = self.clock()
        elif (match := _WILDCARDS.match(line)) and self._jobid:
            pairs = (part.split("=", 1) for part in match.group(1).split(", ") if "=" in part)
            self.jobs[self._jobid] = (self._rule, dict(pairs))
        elif match := _STEPS.match(line):
            self.steps = (int(match.group(1)), int(match.group(2)))
        elif match := _FINISHED.match(line):
            return self._finished(match.group(1), match.group(2))
        return None

    def close(self) -> str | None:
        """What is left to show when the log ends (an error block not yet closed)."""
        shown = []
        if self._exception is not None:
            shown.append(self._end_exception())
        if self._error_block is not None:
            shown.append(self._end_error_block())
        return "\n".join(t for t in shown if t) or None

    def _end_exception(self) -> str | None:
        """An exception's message, as Snakemake printed it above its traceback."""
        name, lines = self._exception_name, [ln for ln in self._exception if ln.strip()]
        self._exception = None
        if name in _HIDDEN_EXCEPTIONS or not lines:
            return None  # e.g. a script's exit status: the job's log says why
        if name == "WorkflowError" and lines == [_ALL_JOBS_LINE]:
            return None
        self.errors_shown += 1
        self._message_shown = True
        if len(lines) > LOG_LINES:  # e.g. hundreds of validation failures: the log has all
            lines = [*lines[:LOG_LINES], f"  ... and {len(lines) - LOG_LINES} more lines in "
                     "the job's log"]
        return "Error: " + "\n".join(lines)

    def _end_error_block(self) -> str:
        """``Error in rule X:`` and its job: one line naming the cohort and the log, then
        the log itself unless the error's own message was shown above."""
        head, fields = self._error_block[0], self._error_block[1:]
        self._error_block = None
        info = dict(f.split(": ", 1) for f in fields if ": " in f)
        _, wildcards = self.jobs.get(info.get("jobid", ""), ("", {}))
        which = ", ".join(f"{k}={v}" for k, v in wildcards.items())
        logs = [p.strip() for p in info.get("log", "").split(" (check log")[0].split(",")
                if p.strip()]
        text = head.rstrip(":") + (f" ({which})" if which else "")
        text += f"; log: {', '.join(logs)}" if logs else ""
        message = info.get("message")
        if message and message != "None":
            text += f"\n  {message}"
        elif not self._message_shown:
            text += "".join(f"\n  {ln}" for ln in _log_tail([p for p in logs
                                                              if p.endswith(".log")]))
        self._message_shown = False
        self.errors_shown += 1
        return text

    def _finished(self, jobid: str, rule: str) -> str | None:
        if rule in STEPS:
            now = self.clock()
            stage, what = STEPS[rule]
            took = now - self.started.pop(jobid, now)
            return (f"[{stage}] {what} done in {clock_text(took)}   "
                    f"elapsed {clock_text(now - self.start)}")
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

    log_dir = Path(SNAKEMAKE_LOGS)
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
        shown = progress.close()
        if shown is not None:
            print(shown, flush=True)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    elapsed = clock_text(time.monotonic() - progress.start)
    if interrupted:
        print(f"Interrupted after {elapsed}. Run ./run.sh again to finish: half-written outputs "
              "are rebuilt, finished ones are kept.", flush=True)
    elif code != 0:
        if not progress.errors_shown:  # nothing recognised: show how Snakemake's log ends
            tail = [ln for ln in _log_tail([str(log_path)]) if not ln.startswith("  File ")]
            print("Snakemake stopped; the end of its log:\n  " + "\n  ".join(tail[-15:]),
                  flush=True)
            where = "its end is above"
        else:
            where = "the errors are above"
        print(f"Failed after {elapsed} (exit code {code}); {where}, the full log is "
              f"{log_path}.", flush=True)
    elif progress.nothing_to_do:
        print(f"Everything is up to date. Outputs: {OUTPUTS}.", flush=True)
    else:
        print(f"Finished in {elapsed}: {progress.cohorts_done} cohort(s) built. "
              f"Outputs: {OUTPUTS}.", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
