"""Shared package of the client accounts back end: rules, use cases, data access, emails.

Kept import-free on purpose: the pre-authentication trigger imports only what it needs.
"""
