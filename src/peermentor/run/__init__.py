"""Running it: the cohort job (validation, the notebook on a warm kernel, the HTML report),
the warm kernels themselves, and ./run.sh's quiet progress lines.
"""

__all__ = ["cohort_job", "progress", "warmkernel"]
