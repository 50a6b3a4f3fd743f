# The pipeline attacks what it shares before the site publishes it: every hidden count of
# every cohort against everything the run shares (peermentor.disclosure). A count that
# only one value fits, or a number the policy withholds shown anyway, fails the build
# naming the output and the cell; the findings are in results/logs/disclosure.csv.


rule disclosure_check:
    input:
        stats=cohort_paths("results/cohorts/{program}/{year}/stats.csv"),
        shared=cohort_paths("results/cohorts/{program}/{year}/shared_stats.csv"),
        tables=[f"results/comparison/{name}" for name in
                ("studies.csv", "outcomes.csv", "effects.csv", "themes.csv")],
        reproduction="results/reproduction.csv",
        programs=expand(f"{PROGRAMS_DIR}/{{program}}.yaml", program=PROGRAMS),
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
