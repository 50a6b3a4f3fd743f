# Map a cohort's REDCap, Qualtrics or Excel export onto the canonical responses.csv
# (mapping: the programme YAML's `import:` block). Only cohorts with an export use it.


rule import_export:
    input:
        unpack(cohort_export_files),
        program=program_config,
    output:
        "results/imported/{program}/{year}/responses.csv",
    params:
        format=cohort_import_format,
    log:
        "results/logs/import/{program}/{year}.log",
    conda:
        "../../environment.yml"
    script:
        "../scripts/import_export.py"
