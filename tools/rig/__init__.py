"""Hardware-in-loop rig support: the headless host app under test, fault relay, soak runner, reports."""
