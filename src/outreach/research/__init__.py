"""The research file the guide asks for: interview logs and their forms, the
comparison across interviews, the report, the overview and the org chart.

Imports ``engine``, ``mailbox`` and the layers below them; never ``campaign``.
"""
