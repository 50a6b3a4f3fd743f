"""From raw files to validated data: the programme configs and their schemas, cohort
discovery, reading and importing REDCap, Qualtrics and Excel exports, scaffolding a
programme config from one, the codebook's pandera schema and validation, and a simulated
consortium to try it all on.
"""

__all__ = [
    "cohorts", "config", "constructs", "importers", "itemtypes", "qsf", "scaffold", "schema",
    "simulate", "validate",
]
