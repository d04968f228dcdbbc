"""Qt item models over the services (loaded in pages on the worker thread)."""
