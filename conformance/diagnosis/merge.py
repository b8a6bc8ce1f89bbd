"""One verdict per clause per request: several checks can judge the same clause (the signature search names
`signature.content-md5.hex` for a mistake while the Content-MD5 form check passes it); a record line gives
each clause once, at its worst verdict, with the details of every check that judged it."""

from __future__ import annotations

#: Verdicts from best to worst.
SEVERITY = ("NONE", "PASS", "FAIL")


def _severity(verdict: dict) -> int:
    value = verdict.get("verdict")
    return SEVERITY.index(value) if value in SEVERITY else len(SEVERITY)


def one_per_clause(verdicts: list[dict]) -> list[dict]:
    """`verdicts` with one entry per clause, where the clause first appeared: the worst verdict (its fields:
    mode, mistakes, expected string to sign, ...), every distinct detail joined by "; " (the worst's first)
    and the mistakes of all of them."""
    grouped: dict[str, list[dict]] = {}
    for verdict in verdicts:
        grouped.setdefault(verdict["clause"], []).append(verdict)
    merged = []
    for group in grouped.values():
        if len(group) == 1:
            merged.append(group[0])
            continue
        ranked = sorted(group, key=_severity, reverse=True)  # stable: the first of equals stays first
        entry = dict(ranked[0])
        details = [v.get("detail", "") for v in ranked]
        entry["detail"] = "; ".join(d for d in dict.fromkeys(details) if d)
        mistakes = [m for v in ranked for m in v.get("mistakes", [])]
        if mistakes:
            entry["mistakes"] = list(dict.fromkeys(mistakes))
        merged.append(entry)
    return merged
