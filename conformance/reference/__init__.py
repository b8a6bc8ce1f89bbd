"""The embedded reference endpoint: a real JSS server on loopback (uvicorn + a small ASGI app).

Start it with ``python -m conformance.reference`` or ``jss-conformance serve``; from Python, use
:func:`conformance.reference.launch.start_reference`. Modules:

- ``config``: server configuration, users and the credentials file;
- ``options``: the command-line options shared by ``python -m conformance.reference`` and ``serve``;
- ``server``: sockets (one per region), uvicorn, the ready line, signals;
- ``app``: the ASGI application: request parsing, routing, error handling;
- ``httpio``: the request context and the response objects;
- ``errors``: the JSON error type;
- ``auth``: header and URL signature verification (with ``conformance.signing``);
- ``regions`` / ``deviations``: the storage-class rules and the switchable negative controls;
- ``storage`` / ``bodies`` / ``crypto``: on-disk layout, streamed request bodies, encryption at rest;
- ``buckets`` / ``objects`` / ``multipart``: the operations.
"""
