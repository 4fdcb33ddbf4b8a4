"""Triage's mail: inboxes polled by IMAP (intake), a message read into a ticket (message), and
the message as the classifier reads it, with its direction (inbound)."""
