"""One screen per module, each with its own ``.kv`` file beside it."""
