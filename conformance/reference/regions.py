"""Regions and the storage-class rules that depend on them."""

from __future__ import annotations

from conformance.reference.deviations import Deviations
from conformance.reference.errors import JssError

#: The JSS regions (JD Cloud "Basic Concepts").
KNOWN_REGIONS = ("cn-north-1", "cn-east-1", "cn-east-2", "cn-south-1")
#: The only region whose machine room supports REDUCED_REDUNDANCY.
RR_REGION = "cn-north-1"

STANDARD = "STANDARD"
REDUCED_REDUNDANCY = "REDUCED_REDUNDANCY"
STORAGE_CLASSES = (STANDARD, REDUCED_REDUNDANCY)


def resolve_storage_class(requested: str | None, region: str, deviations: Deviations) -> str:
    """The storage class to store for a request asking for `requested` (None: no header) in `region`.

    STANDARD by default; REDUCED_REDUNDANCY only in cn-north-1; anything else is 400 InvalidStorageClass.
    """
    if requested is None:
        return REDUCED_REDUNDANCY if deviations.active("default-storage-class-rr") else STANDARD
    if requested not in STORAGE_CLASSES:
        if deviations.active("unknown-storage-class-stored-standard"):
            return STANDARD
        raise JssError(400, "InvalidStorageClass", "The storage class you specified is not valid")
    if requested == REDUCED_REDUNDANCY and deviations.active("rr-rejected-everywhere"):
        raise JssError(400, "InvalidStorageClass", "REDUCED_REDUNDANCY is not supported")
    if requested == REDUCED_REDUNDANCY and region != RR_REGION:
        if deviations.active("rr-everywhere"):
            return REDUCED_REDUNDANCY
        if deviations.active("rr-downgrade"):
            return STANDARD
        raise JssError(400, "InvalidStorageClass", f"REDUCED_REDUNDANCY is only supported in {RR_REGION}")
    return requested
