"""Local stand-ins for the outside world vetting checks: Google Maps, RDAP and applicants'
websites, answering in their documented shapes on 127.0.0.1. The demo world (`world.py`,
`csflows serve --stand-ins`) is made of them, and so are the tests' servers."""
