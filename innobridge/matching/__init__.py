"""The match engine (pure Python, no Django): text, lexical and dense retrieval, fusion, batch."""
