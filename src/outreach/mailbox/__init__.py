"""Mailbox backends: one interface (base.py), Exchange through exchangelib (ews.py)."""
