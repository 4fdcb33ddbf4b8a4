"""Clients of the external systems vetting consults: websites, RDAP, Google Maps Platform."""
