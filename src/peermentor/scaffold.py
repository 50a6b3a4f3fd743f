"""``python -m peermentor.scaffold``: the command that drafts a programme config from a
REDCap dictionary or a Qualtrics export (the code is :mod:`peermentor.ingest.scaffold`;
the command keeps its short name)."""

import sys

from peermentor.ingest.scaffold import main

if __name__ == "__main__":
    sys.exit(main())
