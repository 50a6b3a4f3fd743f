# Map a cohort's REDCap, Qualtrics or Excel export onto the canonical responses.csv
# (mapping: the programme YAML's `import:` block). Only cohorts with an export use it.
# waves.csv (every wave of a longitudinal export) and instances.csv (repeating
# instruments, long) are header-only for exports without them.


rule import_export:
    input:
        unpack(cohort_export_files),
        program=f"{PROGRAMS_DIR}/{{program}}.yaml",
    output:
        responses="results/imported/{program}/{year}/responses.csv",
        waves="results/imported/{program}/{year}/waves.csv",
        instances="results/imported/{program}/{year}/instances.csv",
    params:
        format=cohort_import_format,
    log:
        "results/logs/import/{program}/{year}.log",
    # run: so that the import happens in a worker thread of the Snakemake process
    # (profiles/default: force-use-threads), as validation; a failure's message, with
    # every problem, reaches ./run.sh's console.
    run:
        from peermentor.ingest.importers import import_job

        import_job(input, output, params, wildcards, log[0])
