"""Outlook: MIME, MSG and TNEF messages, their attachments, order and forecast lines."""
