"""Running csflows' Prefect server and watching it: the quick start's single-writer SQLite
server, and the automations that notice stuck approvals, lost heartbeats and lost serve
processes."""
