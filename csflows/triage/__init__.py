"""Inbox triage (seed 004): intake from IMAP, message parsing, ticket types, the typing model,
assignment and routing."""
