"""Prefect Blocks: credentials and connections. Register with `prefect block register -m blocks`.

Every block reads `CSFLOWS_*` environment variables over its saved values (see `resolve`),
so a machine can be pointed at other servers without editing blocks in the UI.
"""

from blocks.base import EnvOverridableBlock, resolve
from blocks.connections import (
    GoogleMapsCredentials,
    ImapInbox,
    NetSuiteCredentials,
    SmtpServer,
    StoreConnection,
    TwilioCredentials,
)

__all__ = [
    "EnvOverridableBlock",
    "GoogleMapsCredentials",
    "ImapInbox",
    "NetSuiteCredentials",
    "SmtpServer",
    "StoreConnection",
    "TwilioCredentials",
    "resolve",
]
