"""The TinyDB store and what moves contacts in and out of it: the store itself
(locked, written atomically, with its event log), importers for CSV and vCard,
and the export and import of a whole campaign.

Imports only ``core``.
"""
