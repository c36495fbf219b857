"""The one set of exit codes every command returns.

`check`: OK when no rule failed at or above ``--fail-on``, FINDINGS when one did,
USAGE for anything that stops the run (bad option, rule file, schema, data).
`lint` and `test`: OK when clean, FINDINGS when problems were found, USAGE for
usage errors.
"""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1
    USAGE = 2
