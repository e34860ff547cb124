"""Retention and deletion (brief §3.7): the purge job, deletion requests, tombstones and their messages."""
