"""The New Customer Inquiry Form: read from JSON, YAML or a filled PDF, and the PDF we send."""
