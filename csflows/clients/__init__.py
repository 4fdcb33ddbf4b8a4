"""Clients of the external systems the procedures call: websites, RDAP, Google Maps Platform,
Twilio."""
