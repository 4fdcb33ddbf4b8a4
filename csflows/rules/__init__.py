"""Pure business rules of the procedures: no I/O, easy to test, used by tasks and flows."""
