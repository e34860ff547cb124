"""Player: the operator pages — session list and the sandboxed replay player."""
