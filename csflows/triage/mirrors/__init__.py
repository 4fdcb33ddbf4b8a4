"""Tickets shown where the team works: which tickets another system has not yet seen as they
are now (ledger), the mailbox's IMAP keywords and folders (mailbox, keywords) and NetSuite
support cases (support_cases)."""
