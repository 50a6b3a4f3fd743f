"""What the data say: each cohort's statistics (tidy rows in stats.csv), between-role
effect sizes with their intervals, paired change over waves, multi-item scales, what a
comparison can detect, the Mann-Whitney variants, and random-effects pooling across
cohorts. Nothing here decides what is shared.
"""

__all__ = [
    "effects", "longitudinal", "mannwhitney", "measurement", "meta", "methods", "precision",
    "stats",
]
