"""Release engineering (not shipped): the release key and signed update bundles."""
