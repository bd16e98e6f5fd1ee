"""outreach: an informational-interview campaign on your own Exchange mailbox."""

__version__ = "0.1.0"
