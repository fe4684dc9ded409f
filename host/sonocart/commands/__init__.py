"""Sub-commands of the ``sonocart`` CLI; each module registers itself in :mod:`sonocart.cli`."""
