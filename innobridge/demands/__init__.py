"""Scenario demands (场景应用需求): what enterprises and departments need solved."""
