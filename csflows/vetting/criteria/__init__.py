"""The vetting criteria of seed 001 as pure rules: completeness, Amazon, address, website,
products, minimums, and the recommendation that orders the supervisor's attention."""
