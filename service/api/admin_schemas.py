"""API bodies of the administration endpoints: organisations, users, keys, subscriptions, thresholds, audit.

Inputs are strict (unknown fields refused, lengths within the columns, no control characters), so a bad
request is a 422 that names the field, never a database error.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from service.accounts import ORG_KINDS
from service.db.tables import ROLES

__all__ = [
    "AuditEntryOut",
    "KeyCreate",
    "KeyIssued",
    "KeyOut",
    "MeOut",
    "OrganisationCreate",
    "OrganisationOut",
    "OrganisationUpdate",
    "SubscriptionCreate",
    "SubscriptionOut",
    "SubscriptionUpdate",
    "ThresholdOffer",
    "ThresholdVersionDetail",
    "ThresholdVersionOut",
    "ThresholdsInForce",
    "UserCreate",
    "UserOut",
    "UserUpdate",
    "check_target",
]

_PRINTABLE = r"^[^\x00-\x1f\x7f]+$"
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128, pattern=_PRINTABLE)]
ShortName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=_PRINTABLE)]
Username = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$")]
_EMAIL = r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$"
Email = Annotated[str, StringConstraints(max_length=254, pattern=_EMAIL)]
RegionCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]
Role = Literal["uploader", "analyst", "responder", "admin"]
OrgKind = Literal["stats_bureau", "hr_department", "operations"]
Channel = Literal["webhook", "wecom", "dingtalk", "email"]
assert set(Role.__args__) == set(ROLES) and set(OrgKind.__args__) == set(ORG_KINDS)  # one list, two spellings


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class MeOut(BaseModel):
    user_id: int
    username: str
    role: str
    organisation_id: int
    region_code: str
    regions_in_scope: int


# ------------------------------------------------------------------------------------------- organisations


class OrganisationOut(_Out):
    id: int
    name: str
    kind: str
    region_code: str
    created_at: dt.datetime


class OrganisationCreate(_In):
    name: Name
    kind: OrgKind
    region_code: RegionCode


class OrganisationUpdate(_In):
    name: Name | None = None
    kind: OrgKind | None = None


# ---------------------------------------------------------------------------------------------------- users


class UserOut(_Out):
    id: int
    organisation_id: int
    username: str
    display_name: str
    email: str | None
    role: str
    active: bool
    created_at: dt.datetime


class UserCreate(_In):
    organisation_id: int = Field(ge=1, le=2_147_483_647)
    username: Username
    role: Role
    display_name: Name | None = None
    email: Email | None = None


class UserUpdate(_In):
    role: Role | None = None
    active: bool | None = None
    display_name: Name | None = None
    email: Email | None = None


# ----------------------------------------------------------------------------------------------------- keys


class KeyOut(_Out):
    prefix: str
    user_id: int
    name: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


class KeyCreate(_In):
    name: ShortName = "api"
    expires_in_days: int = Field(default=90, ge=1, le=730, description="Every key expires; at most two years.")


class KeyIssued(KeyOut):
    key: str = Field(description="The full key. Shown once: store it now, it cannot be shown again.")


# --------------------------------------------------------------------------------------------- subscriptions


class SubscriptionOut(_Out):
    id: int
    organisation_id: int
    region_code: str
    channel: str
    target: str
    has_secret: bool
    min_grade: int
    language: str
    active: bool
    created_at: dt.datetime


def check_target(channel: str | None, target: str | None) -> None:
    if channel is None or target is None:
        return
    if channel == "email":
        if not re.fullmatch(_EMAIL, target):
            raise ValueError("an email subscription's target is an e-mail address")
        return
    parts = urlsplit(target)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"a {channel} subscription's target is an http(s) URL")


class SubscriptionCreate(_In):
    region_code: RegionCode
    channel: Channel
    target: Annotated[str, StringConstraints(min_length=3, max_length=512, pattern=r"^[^\s\x00-\x1f\x7f]+$")]
    secret: Annotated[str, StringConstraints(min_length=16, max_length=255, pattern=_PRINTABLE)] | None = Field(
        default=None, description="Signs webhook bodies (HMAC); write-only, never returned."
    )
    min_grade: int = Field(default=4, ge=1, le=4, description="Deliver grades up to this number (4 = every grade).")
    language: Literal["zh", "en"] = "zh"
    organisation_id: int | None = Field(default=None, ge=1, le=2_147_483_647, description="Default: yours.")

    @model_validator(mode="after")
    def _target_fits_channel(self) -> SubscriptionCreate:
        check_target(self.channel, self.target)
        return self


class SubscriptionUpdate(_In):
    target: Annotated[str, StringConstraints(min_length=3, max_length=512, pattern=r"^[^\s\x00-\x1f\x7f]+$")] | None = (
        None
    )
    secret: Annotated[str, StringConstraints(min_length=16, max_length=255, pattern=_PRINTABLE)] | None = None
    min_grade: int | None = Field(default=None, ge=1, le=4)
    language: Literal["zh", "en"] | None = None
    active: bool | None = None


# ------------------------------------------------------------------------------------------------ thresholds


class ThresholdVersionOut(_Out):
    id: int
    sha256: str
    status: str  # active, superseded, refused
    loaded_at: dt.datetime
    loaded_by: int | None
    message: str | None = Field(description="Why the version was refused (one problem per line, with its line).")


class ThresholdVersionDetail(ThresholdVersionOut):
    content: str


class ThresholdsInForce(ThresholdVersionDetail):
    levels: list[dict[str, Any]]
    rules: list[dict[str, Any]]


class ThresholdOffer(_In):
    content: Annotated[str, StringConstraints(min_length=1, max_length=512 * 1024)] = Field(
        description="The whole thresholds.yaml text."
    )


# ----------------------------------------------------------------------------------------------------- audit


class AuditEntryOut(_Out):
    id: int
    at: dt.datetime
    user_id: int | None
    action: str
    object_type: str
    object_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    remote_addr: str | None
    request_id: str | None
