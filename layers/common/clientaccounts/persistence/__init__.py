"""The persistence layer: the only package that imports pynamodb (an import-linter contract in
`make lint` keeps it so). Models (`models.py`), key formats (`keys.py`), reads and the error
mapping (`store.py`), the transaction builder (`transaction.py`) and the named writes that own
their conditions (`writes.py`). Use cases say what they want and get domain errors back.

Kept empty: the login trigger imports only what it uses (cold start).
"""
