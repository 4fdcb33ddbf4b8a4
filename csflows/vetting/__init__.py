"""New-customer vetting (seed 001): the inquiry record, its forms, the five criteria, the
supervisor's gates, the letters, and onboarding once the first PO arrives."""
