# One job per programme and year: validation, then the executed notebook, its tidy
# statistics, figures and HTML. One job, not two, because Snakemake's planning at every
# start grows with the number of jobs and files (docs/benchmarks.md); a failed
# validation still names every problem and leaves no results.


rule cohort_report:
    input:
        unpack(cohort_inputs),
    output:
        responses="results/validated/{program}/{year}.responses.csv",
        codes="results/validated/{program}/{year}.codes.csv",
        notebook="results/cohorts/{program}/{year}/report.ipynb",
        stats="results/cohorts/{program}/{year}/stats.csv",
        shared="results/cohorts/{program}/{year}/shared_stats.csv",
        figures=directory("results/cohorts/{program}/{year}/figures"),
        html=report(
            "results/cohorts/{program}/{year}/report.html",
            caption="../report/cohort.rst",
            category="Cohort reports",
            labels={"programme": "{program}", "year": "{year}"},
        ),
    params:
        threshold=config["small_cell_threshold"],
        kernel_logs=KERNEL_LOGS,
        site_index=report_site_index,
    log:
        validation="results/logs/validate/{program}/{year}.log",
        failures="results/logs/validate/{program}/{year}.failures.csv",
        notebook="results/logs/cohort/{program}/{year}.log",
    # run: (not script:) so that, with Snakemake's worker threads (profiles/default), the
    # job runs in the Snakemake process: pandas and pandera imported once per run, and the
    # notebook on the thread's warm kernel (peermentor.run.warmkernel).
    run:
        from peermentor.run.cohort_job import build_cohort

        build_cohort(input, output, params, wildcards, log)
