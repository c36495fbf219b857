"""SQL the compiler and the engines share, below both of them in the layers.

* :mod:`checker.sql.text`: quoting, literals, the dialect rules are written in, date/time/e-mail tests;
* :mod:`checker.sql.regex`: the two regular-expression translators (ECMA-262 -> RE2 -> Java);
* :mod:`checker.sql.values`: how a text cell, a JSON value or a Parquet value is read as JSON Schema sees it;
* :mod:`checker.sql.layout`: the table every engine loads a dataset into, and compile plans against.

These modules import only the model and the message markers, so ``compile`` and ``engine``
never import each other (``tests/test_architecture.py``).
"""
