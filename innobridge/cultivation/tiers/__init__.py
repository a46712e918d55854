"""The tier rules engine, pure Python (no Django): metrics, the rules-file schema, the reference
engine that explains one enterprise, the numpy batch engine, readable reasons, the JSONL contract."""
