"""What outreach writes: emails from the templates, proposed times, invites, the
question bank, the résumé, and the offline check that every template renders.

Pure rendering and building; imports only ``core`` and ``config``.
"""
