"""The throwaway CA the tests use is the demo world's (deployments/stand_ins/tls.py)."""

from deployments.stand_ins.tls import make_certificates as make_certificates
