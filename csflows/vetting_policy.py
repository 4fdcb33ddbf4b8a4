"""The vetting thresholds the business tunes (`config/vetting.yaml`), validated at load."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field

from csflows.models.common import Model
from csflows.paths import config_dir
from csflows.policy import load_yaml_model


class WebsitePolicy(Model):
    min_domain_age_days: int = Field(180, ge=0)
    max_redirects: int = Field(5, ge=0, le=20)
    max_bytes: int = Field(2_000_000, gt=0)
    connect_timeout_seconds: float = Field(5, gt=0)
    read_timeout_seconds: float = Field(10, gt=0)
    total_timeout_seconds: float = Field(20, gt=0)


class ProductsPolicy(Model):
    match_score: float = Field(80, ge=0, le=100)


class AddressPolicy(Model):
    places_name_score: float = Field(85, ge=0, le=100)


class LookupsPolicy(Model):
    cache_days: float = Field(30, ge=0)
    rdap_requests_per_second: float = Field(2, gt=0)
    timeout_seconds: float = Field(10, gt=0)  # one Google or RDAP request
    google_retry_seconds: float = Field(20, gt=0)  # Google's 5xx/429 retried this long per try


class VettingPolicy(Model):
    website: WebsitePolicy = Field(default_factory=WebsitePolicy)
    products: ProductsPolicy = Field(default_factory=ProductsPolicy)
    address: AddressPolicy = Field(default_factory=AddressPolicy)
    lookups: LookupsPolicy = Field(default_factory=LookupsPolicy)


@lru_cache(maxsize=4)
def _policy_at(path: Path, mtime: float) -> VettingPolicy:
    return load_yaml_model(path, VettingPolicy)


def vetting_policy(path: Path | None = None) -> VettingPolicy:
    """`config/vetting.yaml` (defaults when the file is absent), re-read when it changes."""
    path = path or config_dir() / "vetting.yaml"
    if not path.exists():
        return VettingPolicy()
    return _policy_at(path, path.stat().st_mtime)
