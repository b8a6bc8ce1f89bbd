"""Deviations: named, switchable departures from the documented behaviour (negative controls).

Each deviation is tested at exactly one place in the code, through ``Deviations.active(name)``.
"""

from __future__ import annotations

from dataclasses import dataclass

#: name -> one-line description. Add a deviation here, then switch on it at one place.
DEVIATIONS: dict[str, str] = {
    "accept-any-signature": "a known access key with any signature is accepted (no signature or time check)",
    "default-storage-class-rr": "an initiate or put without x-jss-storage-class stores REDUCED_REDUNDANCY",
    "rr-everywhere": "REDUCED_REDUNDANCY is accepted and stored as such in every region",
    "rr-downgrade": "outside cn-north-1, REDUCED_REDUNDANCY is silently stored as STANDARD (200)",
    "initiate-truncates-object": "an initiate replaces an existing object of the same key with an empty one",
    "initiate-response-renamed": "the initiate response says UploadID instead of UploadId",
    "list-uploads-raises": "ListMultipartUploads raises an unexpected exception (exercises the 500 path)",
}


class UnknownDeviation(ValueError):
    """A deviation name that is not in DEVIATIONS."""


@dataclass(frozen=True)
class Deviations:
    """The set of active deviations."""

    names: frozenset[str] = frozenset()

    @classmethod
    def of(cls, names: list[str] | tuple[str, ...]) -> Deviations:
        """Validate `names` against DEVIATIONS; UnknownDeviation for a name that is not listed."""
        for name in names:
            if name not in DEVIATIONS:
                raise UnknownDeviation(f"unknown deviation {name!r} (known: {', '.join(DEVIATIONS)})")
        return cls(frozenset(names))

    def active(self, name: str) -> bool:
        """True when deviation `name` is switched on."""
        if name not in DEVIATIONS:
            raise UnknownDeviation(name)
        return name in self.names
