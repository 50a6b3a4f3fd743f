# One executed notebook per programme and year, its tidy statistics, figures and HTML.


rule cohort_report:
    input:
        notebook="notebooks/cohort.ipynb",
        responses="results/validated/{program}/{year}.responses.csv",
        codes="results/validated/{program}/{year}.codes.csv",
        program=program_config,
        published=cohort_published,
        waves=cohort_waves,
    output:
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
        published=lambda wildcards, input: input.published[0] if input.published else "",
        waves=lambda wildcards, input: input.waves[0] if input.waves else "",
        threshold=config["small_cell_threshold"],
    log:
        "results/logs/cohort/{program}/{year}.log",
    # run: (not script:) so that, with Snakemake's worker threads (profiles/default), the
    # notebook runs on the thread's warm kernel: kernel imports once per thread, not per
    # cohort (peermentor.warmkernel).
    run:
        from peermentor.cohort_job import build_cohort_report

        build_cohort_report(input, output, params, wildcards, log[0])
