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


rule effects_table:
    input:
        stats=cohort_paths("results/cohorts/{program}/{year}/stats.csv"),
        programs=expand(f"{PROGRAMS_DIR}/{{program}}.yaml", program=PROGRAMS),
        # each paper's declared Mann-Whitney variant: the p_method of its rank-biserial rows
        published=sorted(PUBLISHED.values()),
    output:
        report(
            "results/comparison/effects.csv",
            caption="../report/effects.rst",
            category="Comparison",
        ),
    params:
        threshold=config["small_cell_threshold"],
        published=[[p, y, path] for (p, y), path in sorted(PUBLISHED.items())],
    log:
        "results/logs/comparison/effects.log",
    conda:
        "../../environment.yml"
    script:
        "../scripts/compare_effects.py"


rule pooled_table:
    input:
        effects="results/comparison/effects.csv",
        programs=expand(f"{PROGRAMS_DIR}/{{program}}.yaml", program=PROGRAMS),
        constructs=CONSTRUCTS_PATH,
    output:
        pooled=report(
            "results/comparison/pooled.csv",
            caption="../report/effects.rst",
            category="Comparison",
        ),
        forest=directory("results/comparison/forest"),
    params:
        method=config.get("pooling", {}).get("method", "reml"),
        knapp_hartung=config.get("pooling", {}).get("knapp_hartung", False),
    log:
        "results/logs/comparison/pooled.log",
    conda:
        "../../environment.yml"
    script:
        "../scripts/compare_pooled.py"


rule trends_table:
    input:
        outcomes="results/comparison/outcomes.csv",
        programs=expand(f"{PROGRAMS_DIR}/{{program}}.yaml", program=PROGRAMS),
        constructs=CONSTRUCTS_PATH,
    output:
        trends=report(
            "results/comparison/trends.csv",
            caption="../report/effects.rst",
            category="Comparison",
        ),
        figures=directory("results/comparison/trends"),
    log:
        "results/logs/comparison/trends.log",
    conda:
        "../../environment.yml"
    script:
        "../scripts/compare_trends.py"


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
        effects="results/comparison/effects.csv",
        pooled="results/comparison/pooled.csv",
        forest="results/comparison/forest",
        trends="results/comparison/trends.csv",
        trend_figures="results/comparison/trends",
        programs=expand(f"{PROGRAMS_DIR}/{{program}}.yaml", program=PROGRAMS),
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
