"""The deterministic Chinese demo dataset: phrase banks, text generators and the loader."""
