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
    # run: so that validation happens in a worker thread of the Snakemake process
    # (profiles/default: force-use-threads): pandas and pandera are imported once per run.
    run:
        from peermentor.validate import validate_job

        validate_job(input, output, log)
