"""Baselines: mark each violation new or existing against an earlier result.

A violation's fingerprint is its rule id plus the record key (``x-key``; all columns
for a dataset without one) or, for aggregate rules, the group key — so it does not
change with row order or with edits to other records or columns.

Where that key is personal data (:mod:`checker.compile.lineage`), an unsalted hash would
give it away (every phone number can be hashed and looked up), so the fingerprint is an
HMAC-SHA256 under a secret key from ``CHECKER_FINGERPRINT_KEY``; without one such
fingerprints are not made at all, and the run says so once (W506).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from checker import codes
from checker.i18n import _, _n
from checker.model.result import Result
from checker.problems import CheckerError, Problem, Span


def key_text_sql(columns: list[str]) -> str:
    """SQL: the text a fingerprint hashes, from key column (or group key) expressions."""
    parts = [f"coalesce(CAST({c} AS VARCHAR), chr(0))" for c in columns] or ["''"]
    return f"concat_ws(chr(31), {', '.join(parts)})"


def fingerprint_sql(rule_id_sql: str, key_text: str) -> str:
    """SQL: the same fingerprint as :func:`fingerprint`, computed by the engine."""
    return f"left(md5({rule_id_sql} || chr(31) || {key_text}), 20)"


def fingerprint(rule_id: str, key_text: str) -> str:
    """md5 of rule id and key text (made by :func:`key_text_sql`), as hex, 20 characters."""
    return hashlib.md5((rule_id + "\x1f" + key_text).encode("utf-8")).hexdigest()[:20]


#: where the secret key of personal-data fingerprints comes from (the configuration file will add another)
KEY_VARIABLE = "CHECKER_FINGERPRINT_KEY"
#: a shorter secret could be found by trying keys and values together
MIN_KEY_CHARS = 16


class Fingerprinter:
    """Violation fingerprints, personal or not.

    A key that is not personal data gets :func:`fingerprint`, exactly as before (baselines saved
    earlier keep matching).  A personal one gets HMAC-SHA256(secret, rule id + key text), as hex,
    20 characters: the same secret gives the same fingerprint in every run.  Without a secret of
    at least :data:`MIN_KEY_CHARS` characters a personal key gets no fingerprint (None) and its
    check is listed in ``withheld``.
    """

    def __init__(self, secret: str | None):
        self.given = bool(secret)
        usable = secret if secret is not None and len(secret) >= MIN_KEY_CHARS else None
        self._mac = hmac.new(usable.encode("utf-8"), digestmod=hashlib.sha256) if usable is not None else None
        self.withheld: set[str] = set()

    @classmethod
    def from_environment(cls) -> Fingerprinter:
        return cls(os.environ.get(KEY_VARIABLE))

    @property
    def keyed(self) -> bool:
        """True when personal keys get (keyed) fingerprints."""
        return self._mac is not None

    def __call__(self, rule_id: str, key_text: str | None, personal: bool) -> str | None:
        if not personal:
            return fingerprint(rule_id, key_text or "")
        if self._mac is None:
            self.withheld.add(rule_id)
            return None
        mac = self._mac.copy()
        mac.update((rule_id + "\x1f" + (key_text or "")).encode("utf-8"))
        return mac.hexdigest()[:20]

    def notice(self) -> Problem | None:
        """The run's one W506 warning when fingerprints were withheld, else None."""
        if not self.withheld:
            return None
        ids = sorted(self.withheld)
        why = (_n("shorter than {n} character", "shorter than {n} characters", MIN_KEY_CHARS, n=MIN_KEY_CHARS)
               if self.given else _("not set"))
        listed = ", ".join(ids[:5]) + (" …" if len(ids) > 5 else "")
        # the terminal shows one line, led by the location (the variable's name): why comes first
        return Problem(Span(KEY_VARIABLE), codes.W506,
                       _n("{why}: fingerprints of {n} check keyed by personal data ({checks}) were not written, "
                          "since an unsalted hash of personal data is reversed by hashing every possible value; "
                          "--baseline counts their violations as it would without a baseline",
                          "{why}: fingerprints of {n} checks keyed by personal data ({checks}) were not written, "
                          "since an unsalted hash of personal data is reversed by hashing every possible value; "
                          "--baseline counts their violations as it would without a baseline",
                          len(ids), why=why, n=len(ids), checks=listed), level="warning",
                       hint=_("set {variable} to a secret of {n} or more characters, the same in every run, to have "
                              "them written as keyed hashes (HMAC-SHA256)", variable=KEY_VARIABLE, n=MIN_KEY_CHARS))


@dataclass
class Baseline:
    sha256: str
    by_rule: dict[str, set[str]] = field(default_factory=dict)

    def known(self, rule_id: str) -> set[str]:
        return self.by_rule.get(rule_id, set())


def load_baseline(path: Path) -> Baseline:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CheckerError([Problem(Span(str(path)), codes.D403, _("cannot read the baseline: {error}",
                                                               error=str(exc.strerror)))]) from None
    try:
        old = Result.model_validate_json(raw)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or _("(top level)")
        raise CheckerError([Problem(Span(str(path)), codes.D403,
                                    _("not a checker result file: {where}: {error}", where=where,
                                      error=str(first["msg"])),
                                    hint=_("pass a file written by `checker check --json`"))]) from None
    return Baseline(hashlib.sha256(raw).hexdigest(), {r.rule_id: set(r.fingerprints) for r in old.results})
