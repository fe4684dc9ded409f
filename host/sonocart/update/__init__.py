"""Installing and updating the cart's software: versioned releases, signed bundles, the start-up self-check.

Stdlib only at import time (the installer runs it with the system Python before any virtualenv exists);
:mod:`sonocart.update.bundle` imports ``cryptography`` for the signature.
"""
