# The results site: results/site/index.html links every cohort report, the comparison
# tables and figures, the reproduction and audit tables, and every failure report.

rule site:
    input:
        reports=cohort_paths("results/cohorts/{program}/{year}/report.html"),
        tables=SITE_TABLES,
        extras=COMPARISON_EXTRAS,
        programs=expand(f"{PROGRAMS_DIR}/{{program}}.yaml", program=PROGRAMS),
        constructs=CONSTRUCTS_PATH,
    output:
        directory("results/site"),
    params:
        cohorts=[(c.program, c.year) for c in COHORTS],
        sources=cohort_sources(),
        threshold=config["small_cell_threshold"],
    log:
        "results/logs/site.log",
    conda:
        "../../environment.yml"
    script:
        "../scripts/build_site.py"


onerror:
    build_partial_site()
