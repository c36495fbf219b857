"""Evaluation: run the planned queries on the engine and turn their answers into results.

:mod:`~checker.evaluate.evaluator` drives it, per dataset; the other modules each do one part:
:mod:`~checker.evaluate.records` (the records cited and their keys), :mod:`~checker.evaluate.samples`
(record, structural and group samples), :mod:`~checker.evaluate.joins` (joins are many-to-one),
:mod:`~checker.evaluate.waiving` (waiver conditions and matches), :mod:`~checker.evaluate.violations`
(fingerprints and ``--violations-out``), :mod:`~checker.evaluate.errors` (a rule's engine error),
:mod:`~checker.evaluate.partials` (what one check found) and :mod:`~checker.evaluate.merge` (a rule's
versions merged into its result).

Personal data is tracked by lineage (:mod:`checker.compile.lineage`): every value written
(sample keys, messages, ``--violations-out`` keys) is masked where it derives from an ``x-pii``
column, unless ``--show-pii``; fingerprints of personal keys are keyed hashes or absent
(:class:`checker.baseline.Fingerprinter`); engine error texts are scrubbed of the values they
quote (:mod:`checker.scrub`), inside and out of a rule's result.  Messages are kept in every
language; the run's language is picked when the result is assembled (:meth:`Result.in_language`).
"""

from __future__ import annotations

from checker.compile.structural import compile_structural
from checker.evaluate.errors import EngineFailure
from checker.evaluate.evaluator import Evaluator
from checker.evaluate.partials import Partial, RulePartial, SchemaPartial
from checker.evaluate.violations import ViolationWriter

__all__ = ["EngineFailure", "Evaluator", "Partial", "RulePartial", "SchemaPartial", "ViolationWriter",
           "compile_structural"]
