"""The testbench rooms around the reference app, each switched on by its own option and absent otherwise:
the fault layer (``--faults``) and the request recorder (``--record FILE``); and, innermost, the
response-mutation layer of oracle mutation testing, only when the server's environment names it
(:mod:`conformance.reference.response_mutation`)."""

from __future__ import annotations

from conformance.reference.config import ServerConfig


def testbench_app(app, config: ServerConfig):
    """`app` wrapped in the testbench layers `config` switches on (the recorder outermost, so that it sees
    which faults fired); `app` itself when none is."""
    from conformance.reference.response_mutation import layer_from_environment

    wrapped = layer_from_environment(app, app)
    if config.faults:
        from conformance.reference.fault_layer import FaultLayer

        wrapped = FaultLayer(wrapped)
    if config.record is not None:
        from conformance.reference.recorder import Recorder

        wrapped = Recorder(wrapped, app, config.record)
    return wrapped
