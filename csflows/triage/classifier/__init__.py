"""The triage classifier: the learned model and what it reads (model, features), training and
its leave-one-writer-out evaluation (training), the promoted models (registry) and the one that
types tickets now (current)."""
