"""The shipped domain dictionary: one TSV per technology field (see ``innobridge.matching.lexicon``).

Each data line: ``canonical<TAB>acronyms and English<TAB>synonyms<TAB>lay expressions``, the
alias columns ``|``-separated and possibly empty; lines starting with ``#`` are comments.
"""
