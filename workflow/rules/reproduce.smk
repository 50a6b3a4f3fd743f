# Reproduction of the bundled papers: every published number beside the pipeline's value
# (results/reproduction.csv) and a consistency audit of the published numbers
# (results/audit.csv). Cohorts without a config/published file contribute no rows.


rule reproduction_tables:
    input:
        published=sorted(PUBLISHED.values()),
        stats=of_published_cohorts("stats"),
        shared=of_published_cohorts("shared"),
        responses=of_published_cohorts("responses"),
        codes=of_published_cohorts("codes"),
        programs=PROGRAM_FILES,
    output:
        reproduction=report(
            "results/reproduction.csv",
            caption="../report/reproduction.rst",
            category="Reproduction",
        ),
        audit=report(
            "results/audit.csv",
            caption="../report/audit.rst",
            category="Reproduction",
        ),
    params:
        threshold=config["small_cell_threshold"],
        cohorts=[
            (p, y, path, f"{PROGRAMS_DIR}/{p}.yaml")
            for (p, y), path in sorted(PUBLISHED.items())
        ],
    log:
        "results/logs/reproduction.log",
    conda:
        "../../environment.yml"
    script:
        "../scripts/reproduce_published.py"
