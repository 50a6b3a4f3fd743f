"""``python -m peermentor.simulate``: the command that writes a simulated consortium
(the code is :mod:`peermentor.ingest.simulate`; the command keeps its short name)."""

from peermentor.ingest.simulate import main

if __name__ == "__main__":
    main()
