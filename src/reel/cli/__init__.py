"""The `reel` command line."""
