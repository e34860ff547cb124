"""Processing: pure transformations of replay data — the DOM mirror, sessions and actions, masking."""
