"""Provenance and rights: the image registry and TDMRep (docs/registry-and-tdm.md)."""

from typing import TYPE_CHECKING

from lanterne._exports import lazy_exports

if TYPE_CHECKING:
    from lanterne.provenance._registry import (
        DIHEDRAL,
        MAX_DISTANCE,
        MIN_QUALITY,
        Fingerprint,
        Lookup,
        Match,
        MultiIndex,
        Registered,
        Registry,
        RegistryConfig,
        as_words,
        brute_force,
        fingerprint,
        hamming,
    )
else:
    # numpy, Pillow and pdqhash load only for a command that hashes images.
    __getattr__ = lazy_exports(
        __name__,
        {
            "._registry": (
                "DIHEDRAL",
                "MAX_DISTANCE",
                "MIN_QUALITY",
                "Fingerprint",
                "Lookup",
                "Match",
                "MultiIndex",
                "Registered",
                "Registry",
                "RegistryConfig",
                "as_words",
                "brute_force",
                "fingerprint",
                "hamming",
            ),
        },
    )

__all__ = [
    "DIHEDRAL",
    "MAX_DISTANCE",
    "MIN_QUALITY",
    "Fingerprint",
    "Lookup",
    "Match",
    "MultiIndex",
    "Registered",
    "Registry",
    "RegistryConfig",
    "as_words",
    "brute_force",
    "fingerprint",
    "hamming",
]
