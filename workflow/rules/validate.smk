# Validate each cohort's raw files against the pandera schema built from its codebook.


rule validate_cohort:
    input:
        unpack(cohort_raw_files),
        program=program_config,
    output:
        responses="results/validated/{program}/{year}.responses.csv",
        codes="results/validated/{program}/{year}.codes.csv",
    log:
        log="results/logs/validate/{program}/{year}.log",
        failures="results/logs/validate/{program}/{year}.failures.csv",
    conda:
        "../../environment.yml"
    script:
        "../scripts/validate_cohort.py"
