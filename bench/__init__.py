"""Reel's benchmarks (`make bench`): each measures a baseline in the same run and reports the ratio."""
