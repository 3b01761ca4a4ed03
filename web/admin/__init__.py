"""Operator pages under /admin, behind a password login."""
