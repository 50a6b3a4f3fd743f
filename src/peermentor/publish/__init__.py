"""What is shared: the disclosure policy (what may be shown of which group), the attacker's
mathematics it and the run's check use, the cross-study tables, a cohort's numbers as its
report shares them, the cohort report's tables and figures, forest plots, and the results
site.
"""

__all__ = [
    "cohort", "compare", "disclosure", "figures", "forest", "inference", "pages", "privacy",
    "report", "site",
]
