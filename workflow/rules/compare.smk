# Cross-study comparison tables, rebuilt whenever any cohort changes.


rule studies_table:
    input:
        stats=of_every_cohort("stats"),
        shared=of_every_cohort("shared"),
        programs=PROGRAM_FILES,
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
        stats=of_every_cohort("stats"),
        shared=of_every_cohort("shared"),
        programs=PROGRAM_FILES,
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
        stats=of_every_cohort("stats"),
        shared=of_every_cohort("shared"),
        programs=PROGRAM_FILES,
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
        effects=rules.effects_table.output[0],
        programs=PROGRAM_FILES,
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
        outcomes=rules.outcomes_table.output[0],
        programs=PROGRAM_FILES,
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
        codes=of_every_cohort("codes"),
        shared=of_every_cohort("shared"),
        programs=PROGRAM_FILES,
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
        studies=rules.studies_table.output[0],
        outcomes=rules.outcomes_table.output[0],
        themes=rules.themes_table.output[0],
        effects=rules.effects_table.output[0],
        pooled=rules.pooled_table.output.pooled,
        forest=rules.pooled_table.output.forest,
        trends=rules.trends_table.output.trends,
        trend_figures=rules.trends_table.output.figures,
        programs=PROGRAM_FILES,
        reproduction=rules.reproduction_tables.output.reproduction,
        audit=rules.reproduction_tables.output.audit,
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
