"""Targets: the bureau's yearly KPIs computed from the records, the dashboard and reports."""
