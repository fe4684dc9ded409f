"""The headless cart core: one running cart (devices, procedure session, policies) and its event stream."""
