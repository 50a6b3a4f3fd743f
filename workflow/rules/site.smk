# The results site: results/site/index.html links every cohort report, the comparison
# tables and figures, the reproduction and audit tables, and every failure report.

rule site:
    input:
        reports=of_every_cohort("html"),
        tables=[rules.studies_table.output[0], rules.outcomes_table.output[0],
                rules.themes_table.output[0], rules.reproduction_tables.output.reproduction,
                rules.reproduction_tables.output.audit],
        # the other comparison outputs the site shows, so that it waits for them
        extras=[rules.effects_table.output[0], rules.pooled_table.output.forest,
                rules.pooled_table.output.pooled, rules.comparison_summary.output[0],
                rules.trends_table.output.figures, rules.trends_table.output.trends],
        # published only once the disclosure check finds nothing shared gives a count away
        disclosure=rules.disclosure_check.output[0],
        programs=PROGRAM_FILES,
        constructs=CONSTRUCTS_PATH,
    output:
        directory("results/site"),
    params:
        # where each file the site reads is, as the rules name it (a failed cohort's logs too)
        layout=results_layout(),
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
