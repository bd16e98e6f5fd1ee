"""`outreach demo` runs the whole tour as a real process and leaves nothing behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("backend", ["ews", "graph"])
def test_demo_tells_the_whole_campaign_and_leaves_nothing(tmp_path: Path, backend: str) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    env.pop("OUTREACH_CLOCK_FILE", None)
    done = subprocess.run(
        [sys.executable, "-m", "outreach", "demo", "--backend", backend],
        capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for expected in (
        "request withdrawn: the contact is out of office",  # MailTips hold for Marcus
        "drafted → rejected: request draft deleted",  # Lena's draft thrown away
        "contacted → bounced",  # Jordan's address bounced
        "Picks slot 2",  # Priya's reply read against the proposed times
        'They wrote: "Happy to help!',  # her own words, not Outlook's quote of the request
        "scheduling → scheduled: invite accepted",
        "thank-you in Drafts",
        "Priya Castellan suggested that I get in touch with you.",  # the referral's request
        "Dana Whitlock: follow-up 1 in Drafts",
        "Marcus Oyelaran: paused → new",
        "Marcus Oyelaran, Head of Data Platform (Data Platform): manager of Priya Castellan",
        "added Kenji Halvorsen as a contact: From the org chart: peer of Priya Castellan",
        "in Drafts: 'An update since we spoke about data engineering'",  # the update step
        "│ You suggested: Take the data modelling course",
        "│ - I have written to Tobias Ferreira.",
    ):
        assert expected in out, f"missing {expected!r} in:\n{out}"
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # the sandbox, store and clock are gone
