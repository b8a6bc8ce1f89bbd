"""The storage class of an upload, observed three ways in one case: ListParts and ListMultipartUploads while
the upload is in progress, then HEAD on the object once it is completed. Each observer's report is a clause
of its own (``*.storage-class.reported``), judged as a soft check so that one observer's failure never hides
the others' (conformance.operations.checks).

The rule: an observer that answers with an error, or reports no class, fails its reported clause. HEAD
reports the class the store kept, and that is what the case's class clause is judged by (the listings' when
HEAD could not tell). A listing fails its reported clause when it contradicts HEAD, unless it reports the
class the upload was asked for (then the store changed the class at completion, which the class clause
fails, not the listing). The messages quote each observation: "ListParts said 'STANDARD',
ListMultipartUploads said 'STANDARD', HEAD said 'REDUCED_REDUNDANCY'".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from conformance import operations as ops
from conformance.cases.support import small_part
from conformance.client import JssClient
from conformance.operations.verdicts import Answer


@dataclass
class Observation:
    """One observer's report: the class it gave (None: none), the answer that carried it, or its error."""

    observer: str
    clause: str
    value: str | None = None
    answer: Answer | None = None
    error: ops.ApiError | ops.Mismatch | None = None

    def words(self) -> str:
        """``ListParts said 'STANDARD'``, ``HEAD said nothing``, ``ListParts: the server answered 404...``."""
        if isinstance(self.error, ops.ApiError):
            return f"{self.observer}: {ops.describe(self.error)}"
        if self.error is not None:
            return f"{self.observer}: {self.error.observed}"
        said = repr(self.value) if self.value is not None else "nothing"
        return f"{self.observer} said {said}"


@dataclass
class Observed:
    """Every observation of one upload and those that passed their own reported clause."""

    observations: list[Observation]
    credible: list[Observation] = field(default_factory=list)

    def words(self) -> str:
        """Each observation in words, in the order made."""
        return ", ".join(observation.words() for observation in self.observations)

    def judged_by(self) -> list[Observation]:
        """The observations the class clause is judged by: HEAD's when it passed its clause, else the
        listings' that passed theirs."""
        head = [o for o in self.credible if o.observer == HEAD]
        return head or self.credible

    def values(self) -> set[str | None]:
        """The classes the class clause is judged by."""
        return {observation.value for observation in self.judged_by()}

    def deciding(self, wrong: Callable[[str | None], bool]) -> Answer | None:
        """The answer of the first judging observation whose class is `wrong`."""
        return next((o.answer for o in self.judged_by() if wrong(o.value)), None)


def _via_list_parts(client: JssClient, bucket: str, key: str, upload_id: str) -> Observation:
    listing = ops.list_parts(client, bucket, key, upload_id)
    return Observation("ListParts", "list-parts.storage-class.reported", listing.storage_class, listing)


def _via_list_uploads(client: JssClient, bucket: str, key: str, upload_id: str) -> Observation:
    listing = ops.list_uploads(client, bucket, prefix=key)
    entry = next((u for u in listing.uploads if u.upload_id == upload_id and u.key == key), None)
    if entry is None:
        raise ops.Mismatch("ListMultipartUploads to list the upload", "the upload is not listed",
                           ops.exchange_of(listing))
    return Observation("ListMultipartUploads", "list-uploads.storage-class.reported", entry.storage_class,
                       listing)


def _via_head_after_complete(client: JssClient, bucket: str, key: str, upload_id: str) -> Observation:
    etag = ops.upload_part(client, bucket, key, upload_id, 1, small_part()).etag
    ops.complete(client, bucket, key, upload_id, [(1, etag)])
    head = ops.head_object(client, bucket, key)
    return Observation("HEAD", "object.storage-class.reported", head.storage_class, head)


#: The observers, in the order they run (the listings need the upload in progress), with their clauses.
OBSERVERS = (
    ("ListParts", "list-parts.storage-class.reported", _via_list_parts),
    ("ListMultipartUploads", "list-uploads.storage-class.reported", _via_list_uploads),
    ("HEAD", "object.storage-class.reported", _via_head_after_complete),
)
#: The reported clauses, one per observer (a storage-class case names them after its class clause).
REPORTED_CLAUSES = tuple(clause for _, clause, _ in OBSERVERS)
HEAD = "HEAD"


def _observe_one(name: str, clause: str, observer, client, bucket, key, upload_id) -> Observation:
    try:
        return observer(client, bucket, key, upload_id)
    except (ops.ApiError, ops.Mismatch) as error:
        return Observation(name, clause, error=error)


def observe(
    checks: ops.Observations, client: JssClient, bucket: str, key: str, upload_id: str, asked: str | None
) -> Observed:
    """Observe the class of upload `upload_id` through every observer and judge each reported clause (soft
    checks in `checks`); `asked`: the class the upload was asked for (None: no class is right, e.g. RR
    outside North China)."""
    observed = Observed(
        [_observe_one(name, clause, fn, client, bucket, key, upload_id) for name, clause, fn in OBSERVERS]
    )
    for observation in observed.observations:
        with checks.check(observation.clause):
            _judge_reported(observation, observed, asked)
            observed.credible.append(observation)
    return observed


def _judge_reported(observation: Observation, observed: Observed, asked: str | None) -> None:
    """Raise when `observation` fails its reported clause (see the module docstring)."""
    if observation.error is not None:
        raise observation.error
    exchange = ops.exchange_of(observation.answer)
    if observation.value is None:
        raise ops.Mismatch(f"{observation.observer} to report the storage class", observed.words(), exchange)
    head = next((o for o in observed.observations if o.observer == HEAD), None)
    kept = head.value if head is not None and head.error is None else None
    if observation is head or kept is None or observation.value in (kept, asked):
        return
    raise ops.Mismatch(
        f"{observation.observer} to report the class HEAD reported ({kept!r})", observed.words(), exchange
    )


def judge_class(
    checks: ops.Observations, clause: str, observed: Observed, asked: str, upload: Answer,
    what: str = "the storage class of the upload",
) -> None:
    """The class clause `clause`: every credible observation says `asked` (a soft check in `checks`); when no
    observer reported a class, the clause is NOT_REACHED. `upload` decides when no observation does."""
    if not observed.credible:
        ops.not_reached(clause, f"no observer reported a storage class: {observed.words()}")
        return
    with checks.check(clause):
        if observed.values() != {asked}:
            decided_by = observed.deciding(lambda value: value != asked) or upload
            raise ops.Mismatch(f"{what} to be {asked!r}", observed.words(), ops.exchange_of(decided_by))
