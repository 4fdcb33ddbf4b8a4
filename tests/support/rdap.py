"""RDAP answers the tests use are the demo world's (deployments/stand_ins/rdap.py)."""

from deployments.stand_ins.rdap import NOT_FOUND as NOT_FOUND
from deployments.stand_ins.rdap import domain as domain
