"""The persistence layer: the only package that imports pynamodb (an import-linter contract in
`make lint` keeps it so). Models (`models.py`), key formats (`keys.py`), reads and
list cursors (`store.py`), the named writes that own their conditions (`writes.py`), the
transaction builder that sends operations in the order they were added (`transaction.py`),
and the binding and the one mapping of a DynamoDB failure to a 503 (`connection.py`). Use cases
say what they want and get domain errors back.

Kept empty: the login trigger imports only what it uses (cold start).
"""
