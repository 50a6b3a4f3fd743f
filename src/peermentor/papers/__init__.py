"""The published studies: every number a bundled paper prints, the raw data reconstructed
from them, each number reproduced beside the pipeline's, and an audit of whether the
printed numbers can be true (GRIM, GRIMMER, SPRITE, the Mann-Whitney p under each
variant).
"""

__all__ = ["audit", "consistency", "published", "reconstruct", "reproduction"]
