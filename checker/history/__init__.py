"""The run history: ``check --history STORE`` appends each run to a store (an embedded DuckDB file, or
PostgreSQL for a team), chained by hashes; ``checker history`` reads it back over time.

- :mod:`~checker.history.entry` — what an entry holds, and its hash;
- :mod:`~checker.history.store` — the two stores, their schema and migrations, locking, the chain check;
- :mod:`~checker.history.record` — appending a run and the trend its result carries;
- :mod:`~checker.history.analysis` — runs over time, new and fixed, open by age, time to fix;
- :mod:`~checker.history.render` — text, JSON, Markdown and HTML.
"""
