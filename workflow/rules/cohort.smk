# One executed notebook per programme and year, its tidy statistics, figures and HTML.


rule cohort_notebook:
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
        figures=directory("results/cohorts/{program}/{year}/figures"),
    params:
        published=lambda wildcards, input: input.published or "",
        waves=lambda wildcards, input: input.waves or "",
        threshold=config["small_cell_threshold"],
    log:
        "results/logs/cohort/{program}/{year}.log",
    conda:
        "../../environment.yml"
    shell:
        "papermill {input.notebook} {output.notebook} --kernel python3 --cwd . "
        "-p program {wildcards.program} -p year {wildcards.year} "
        "-p responses {input.responses} -p codes {input.codes} "
        "-p program_config {input.program} "
        "-p stats_path {output.stats} -p figures_dir {output.figures} "
        "-p published '{params.published}' -p waves '{params.waves}' "
        "-p small_cell_threshold {params.threshold} "
        "> {log} 2>&1"


rule cohort_html:
    input:
        "results/cohorts/{program}/{year}/report.ipynb",
    output:
        report(
            "results/cohorts/{program}/{year}/report.html",
            caption="../report/cohort.rst",
            category="Cohort reports",
            labels={"programme": "{program}", "year": "{year}"},
        ),
    log:
        "results/logs/html/{program}/{year}.log",
    conda:
        "../../environment.yml"
    script:
        "../scripts/cohort_html.py"
