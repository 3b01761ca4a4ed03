"""Dedupe stage: merge copies of one dataset across sources and group dataset series."""
