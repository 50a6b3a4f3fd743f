# Helpers shared by the rules: config validation, cohort discovery, target lists.
import functools
import os
import sys
from pathlib import Path

from snakemake.utils import validate

from peermentor.ingest import notices
from peermentor.ingest.cohorts import (
    PROGRAM_PATTERN,
    YEAR_PATTERN,
    check_import_formats,
    discover_cohorts,
)
from peermentor.ingest.config import load_programs, load_themes
from peermentor.ingest.constructs import check_program_constructs, load_constructs
from peermentor.papers.published import published_files

validate(config, schema="../schemas/config.schema.yaml")

RAW_DIR = config["raw_dir"]
PROGRAMS_DIR = config["programs_dir"]
# The warm kernels' own output, one log per kernel, not per job (so in no rule's logs),
# for cohort_report's threads and a SLURM cluster job's kernel.
KERNEL_LOGS = "results/logs/kernels"


def cohorts_of_this_job():
    """The cohorts a cluster job step runs, or None (every cohort) anywhere else.

    The SLURM executor runs each job of a cluster job as a job step of its own: a
    Snakemake process in remote mode told its jobs with --target-jobs (a group of 25
    cohorts is 25 such processes, one after another). Such a step reads this workflow
    again; listing, loading and checking every cohort of a 10,000-cohort consortium
    there would cost each cohort seconds, so it looks only at its own. Snakemake has not
    set its DAG settings while the workflow is read, hence sys.argv."""
    if not workflow.remote_exec or "--target-jobs" not in sys.argv:
        return None
    from snakemake.target_jobs import parse_target_jobs_cli_args

    values = sys.argv[sys.argv.index("--target-jobs") + 1:]
    values = values[:next((i for i, v in enumerate(values) if v.startswith("-")), len(values))]
    targets = parse_target_jobs_cli_args(values)
    if not targets or any(t.rulename != "cohort_report" for t in targets):
        return None
    return {(t.wildcards_dict["program"], t.wildcards_dict["year"]) for t in targets}


def host_kernel_for_cluster_job():
    """In a SLURM cluster job's own Snakemake process (the one that runs each job of its
    group as a job step), start the warm kernel its cohort steps share
    (peermentor.run.warmkernel.host_kernel); it lives as long as the cluster job."""
    if workflow.remote_exec and "--local-groupid" in sys.argv and "slurm-jobstep" in sys.argv:
        from peermentor.run.warmkernel import host_kernel

        Path(KERNEL_LOGS).mkdir(parents=True, exist_ok=True)
        job = os.environ.get("SLURM_JOB_ID", "")
        host_kernel(".", f"{KERNEL_LOGS}/slurm-job-{job}.log")


JOB_COHORTS = cohorts_of_this_job()
# Files in a cohort folder the run will not read: "Warning: ..." lines, unless it stops.
with notices.route(console=sys.stderr, hold=True):
    COHORTS = discover_cohorts(RAW_DIR, PROGRAMS_DIR, only=JOB_COHORTS)
if JOB_COHORTS:
    host_kernel_for_cluster_job()
PROGRAMS = sorted({c.program for c in COHORTS})
COHORT_INDEX = {(c.program, c.year): c for c in COHORTS}

# Fail at parse time, with file and key, on a programme config or theme framework
# that breaks its schema, rather than in the middle of a run.
# Checked configs are kept in .snakemake/ and reused while their files are unchanged.
PROGRAM_CONFIGS = load_programs([f"{PROGRAMS_DIR}/{p}.yaml" for p in PROGRAMS],
                                cache=".snakemake/peermentor/programs.pickle")
check_import_formats(COHORTS, PROGRAM_CONFIGS, PROGRAMS_DIR)
load_themes(config["themes"])
CONSTRUCTS_PATH = config.get("constructs", "config/constructs.yaml")
CONSTRUCTS = load_constructs(CONSTRUCTS_PATH)
for _program, _config in PROGRAM_CONFIGS.items():
    check_program_constructs(_config, CONSTRUCTS, f"{PROGRAMS_DIR}/{_program}.yaml", CONSTRUCTS_PATH)

# Published values (config/published/*.yaml) of the cohorts present, checked here
# against their schema and their programme's codebook.
PUBLISHED_DIR = config.get("published_dir", "config/published")
PUBLISHED = {
    key: str(path)
    for key, path in published_files(PUBLISHED_DIR, PROGRAM_CONFIGS).items()
    if key in COHORT_INDEX
}


wildcard_constraints:
    program=PROGRAM_PATTERN,
    year=YEAR_PATTERN,


def cohort_inputs(wildcards):
    """Every file a cohort's job reads, in one call per job (Snakemake calls an input
    function for every job at every start): the notebook, the programme config, the
    survey answers (raw, or imported from an export) and/or coded segments, the waves of
    an imported cohort and the paper's published values where they are recorded."""
    key = (wildcards.program, wildcards.year)
    cohort = COHORT_INDEX[key]
    folder = f"{RAW_DIR}/{wildcards.program}/{wildcards.year}"
    files = {"notebook": "notebooks/cohort.ipynb",
             "program": f"{PROGRAMS_DIR}/{wildcards.program}.yaml"}
    if cohort.import_format:  # rule import_export's outputs
        imported = rules.import_export.output
        where = {"program": wildcards.program, "year": wildcards.year}
        files["raw_responses"] = imported.responses.format(**where)
        files["waves"] = imported.waves.format(**where)  # header-only for a one-wave export
    elif cohort.has_responses:
        files["raw_responses"] = f"{folder}/responses.csv"
    if cohort.has_codes:
        files["raw_codes"] = f"{folder}/codes.csv"
    if key in PUBLISHED:
        files["published"] = PUBLISHED[key]
    return files


def cohort_export_files(wildcards):
    """The vendor export (and REDCap data dictionary) of a cohort that needs importing."""
    cohort = COHORT_INDEX[(wildcards.program, wildcards.year)]
    folder = f"{RAW_DIR}/{wildcards.program}/{wildcards.year}"
    return {key: f"{folder}/{name}" for key, name in cohort.export_files.items()}


def cohort_import_format(wildcards):
    return COHORT_INDEX[(wildcards.program, wildcards.year)].import_format


def published_paths(pattern):
    """Expand a path pattern over the cohorts that have published values."""
    return [pattern.format(program=p, year=y) for p, y in sorted(PUBLISHED)]


def cohort_paths(pattern):
    """Expand a path pattern over every discovered cohort."""
    return [pattern.format(program=c.program, year=c.year) for c in COHORTS]


# One results layout: a cohort's files are named once, by rule cohort_report's outputs,
# and the rules that read them chain through rules.<rule>.output.
def of_every_cohort(output):
    """Output ``output`` of rule cohort_report (stats, shared, codes, html, ...), for
    every discovered cohort."""
    return cohort_paths(rules.cohort_report.output[output])


def of_published_cohorts(output):
    """Output ``output`` of rule cohort_report for the cohorts with published values."""
    return published_paths(rules.cohort_report.output[output])


PROGRAM_FILES = expand(f"{PROGRAMS_DIR}/{{program}}.yaml", program=PROGRAMS)


def cohort_sources():
    """Each cohort's data files, for the site's landing page."""
    return {
        f"{c.program}/{c.year}": ", ".join(
            name for name in (c.survey_file, "codes.csv" if c.has_codes else None) if name
        )
        for c in COHORTS
    }


@functools.cache
def results_layout():
    """Where the results site finds each file it reads (peermentor.publish.site.LAYOUT),
    from the rules' outputs and logs: a cohort's as patterns with {program} and {year}.
    Called once every rule is read (by the site rule, and after a failed run)."""
    cohort, imported = rules.cohort_report, rules.import_export
    layout = {
        "report": cohort.output.html,
        "validated": cohort.output.responses,
        "failures": cohort.log.failures,
        "notebook_log": cohort.log.notebook,
        "imported": imported.output.responses,
        "import_log": imported.log[0],
        "studies": rules.studies_table.output[0],
        "outcomes": rules.outcomes_table.output[0],
        "effects": rules.effects_table.output[0],
        "pooled": rules.pooled_table.output.pooled,
        "themes": rules.themes_table.output[0],
        "trends": rules.trends_table.output.trends,
        "reproduction": rules.reproduction_tables.output.reproduction,
        "audit": rules.reproduction_tables.output.audit,
        "disclosure": rules.disclosure_check.output[0],
        "forest": rules.pooled_table.output.forest,
        "trend_figures": rules.trends_table.output.figures,
    }
    return {name: str(path) for name, path in layout.items()}


def report_site_index(wildcards, output):
    """The link from a cohort's report back to the site's landing page (rule site's
    output), relative to the report."""
    index = os.path.join(rules.site.output[0], "index.html")
    return os.path.relpath(index, os.path.dirname(output.html))


def build_partial_site():
    """After a failed run (say --keep-going with a cohort that breaks its codebook), still
    write the results site, listing what failed. It is dated 1970 so the next run
    rebuilds it."""
    from peermentor.publish.site import build_site

    site = rules.site.output[0]
    try:
        if _disclosure_failed():
            print("Results site not written: the disclosure check found a shared output "
                  f"giving a hidden count away ({rules.disclosure_check.log[0]}).",
                  file=sys.stderr)
            return
        if os.path.isdir(os.path.dirname(site)):  # the run wrote something
            build_site(results_layout(), site, [(c.program, c.year) for c in COHORTS],
                       PROGRAM_CONFIGS, config["small_cell_threshold"], partial=True,
                       sources=cohort_sources(), constructs=CONSTRUCTS)
            os.utime(site, (0, 0))
            print(f"Results site (run incomplete): {site}/index.html", file=sys.stderr)
    except Exception as error:  # the run's own error is the one to report
        print(f"Results site not written after the failed run: {error}", file=sys.stderr)


def _disclosure_failed():
    """Did the last disclosure check find a hidden count given away (or a number shown
    that the policy withholds)? Then no site is written, not even a partial one."""
    import pandas as pd

    path = rules.disclosure_check.log[0]  # its findings
    if not os.path.isfile(path):
        return False
    findings = pd.read_csv(path, dtype=str, keep_default_na=False)
    return bool(findings["verdict"].isin(["disclosed", "policy"]).any())
