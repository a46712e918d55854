"""Shared pieces: choices, roles and access rules, errors, Excel import/export, API tokens, demo."""
