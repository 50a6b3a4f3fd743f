"""Peer-mentoring survey analysis: validation, per-cohort statistics, cross-study tables."""

__version__ = "0.1.0"
