# The pipeline attacks what it shares before the site publishes it: every hidden count of
# every cohort against everything the run shares (peermentor.publish.disclosure). A count that
# only one value fits, or a number the policy withholds shown anyway, fails the build
# naming the output and the cell; the findings are in results/logs/disclosure.csv.


rule disclosure_check:
    input:
        stats=of_every_cohort("stats"),
        shared=of_every_cohort("shared"),
        tables=[rules.studies_table.output[0], rules.outcomes_table.output[0],
                rules.effects_table.output[0], rules.themes_table.output[0]],
        reproduction=rules.reproduction_tables.output.reproduction,
        programs=PROGRAM_FILES,
    output:
        "results/logs/disclosure.txt",
    params:
        cohorts=[(c.program, c.year) for c in COHORTS],
        threshold=config["small_cell_threshold"],
    log:
        "results/logs/disclosure.csv",
    conda:
        "../../environment.yml"
    script:
        "../scripts/check_disclosure.py"
