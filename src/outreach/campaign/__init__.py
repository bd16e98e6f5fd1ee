"""One campaign cycle and the daemon that repeats it: prepare, perform through the
outbox, observe, the dry run, the crash points, systemd's notify and watchdog.

Imports ``engine``, ``mailbox`` and the layers below them; never ``research``.
"""
