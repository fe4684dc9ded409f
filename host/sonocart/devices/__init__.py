"""Device drivers: each owns a link and turns wire messages into device state and events."""
