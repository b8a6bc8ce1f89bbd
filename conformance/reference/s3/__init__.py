"""The S3 front of the reference endpoint: S3 REST requests (SigV4, XML bodies) under JSS rules.

It parses, authenticates and renders; storage, regions, uploads and ownership are the same wire-neutral rooms
the JSS front uses (``conformance.reference.storage``, ``regions``, ``uploads``, ``access``).
"""
