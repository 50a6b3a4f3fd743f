# Peer-mentoring survey pipeline: import exports -> validate and run a notebook per programme and year
# -> cross-study tables -> disclosure check -> results site.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/import.smk"
include: "workflow/rules/cohort.smk"
include: "workflow/rules/reproduce.smk"
include: "workflow/rules/compare.smk"
include: "workflow/rules/disclosure.smk"
include: "workflow/rules/site.smk"


# What a run builds: the results site, which reads every comparison table, the
# reproduction and audit and (through them) every cohort's report and statistics.
rule all:
    input:
        rules.site.output,
    default_target: True
