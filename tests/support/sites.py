"""The named-site web server the tests use is the demo world's (deployments/stand_ins/sites.py)."""

from deployments.stand_ins.sites import Page as Page
from deployments.stand_ins.sites import SiteServer as SiteServer
from deployments.stand_ins.sites import zeros as zeros
