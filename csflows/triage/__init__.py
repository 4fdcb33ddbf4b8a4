"""Inbox triage (seed 004): intake from IMAP, message parsing, ticket types, the classifier,
assignment and routing."""
