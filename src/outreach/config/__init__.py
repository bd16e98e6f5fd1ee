"""The user's settings: their schema, the YAML loader that checks a file against
it, and the secrets the settings name.

Imports only ``core``.
"""
