# Cross-study comparison tables, rebuilt whenever any cohort changes.


rule studies_table:
    input:
        stats=cohort_paths("results/cohorts/{program}/{year}/stats.csv"),
        programs=expand(f"{PROGRAMS_DIR}/{{program}}.yaml", program=PROGRAMS),
    output:
        report(
            "results/comparison/studies.csv",
            caption="../report/comparison.rst",
            category="Comparison",
        ),
    params:
        threshold=config["small_cell_threshold"],
    log:
        "results/logs/comparison/studies.log",
    conda:
        "../../environment.yml"
    script:
        "../scripts/compare_studies.py"


rule outcomes_table:
    input:
        stats=cohort_paths("results/cohorts/{program}/{year}/stats.csv"),
        programs=expand(f"{PROGRAMS_DIR}/{{program}}.yaml", program=PROGRAMS),
    output:
        report(
            "results/comparison/outcomes.csv",
            caption="../report/comparison.rst",
            category="Comparison",
        ),
    params:
        threshold=config["small_cell_threshold"],
    log:
        "results/logs/comparison/outcomes.log",
    conda:
        "../../environment.yml"
    script:
        "../scripts/compare_outcomes.py"


rule themes_table:
    input:
        codes=cohort_paths("results/validated/{program}/{year}.codes.csv"),
        programs=expand(f"{PROGRAMS_DIR}/{{program}}.yaml", program=PROGRAMS),
        framework=config["themes"],
    output:
        report(
            "results/comparison/themes.csv",
            caption="../report/comparison.rst",
            category="Comparison",
        ),
    params:
        cohorts=[(c.program, c.year) for c in COHORTS],
        threshold=config["small_cell_threshold"],
    log:
        "results/logs/comparison/themes.log",
    conda:
        "../../environment.yml"
    script:
        "../scripts/compare_themes.py"


rule comparison_summary:
    input:
        studies="results/comparison/studies.csv",
        outcomes="results/comparison/outcomes.csv",
        themes="results/comparison/themes.csv",
        reproduction="results/reproduction.csv",
        audit="results/audit.csv",
    output:
        report(
            "results/comparison/summary.md",
            caption="../report/comparison.rst",
            category="Comparison",
        ),
    params:
        threshold=config["small_cell_threshold"],
    log:
        "results/logs/comparison/summary.log",
    conda:
        "../../environment.yml"
    script:
        "../scripts/compare_summary.py"
