"""The plain values and small helpers every layer shares: the model, observations,
the mail and calendar items, the clock, errors, files written whole and
owner-only, one-line text and progress.

Imports nothing else of outreach.
"""
