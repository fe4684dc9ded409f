"""Build, flash and verify the pedal-board firmware (``sonocart firmware``)."""
