"""Exact optimizers (pure Python, OR-Tools): reviewer assignment, later meeting schedules."""
