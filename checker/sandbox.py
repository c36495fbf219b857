"""Bounded Jinja sandboxes: what a template may reach, and what it may spend.

Rule messages and report templates (bundled or ``--templates``) render in a
:class:`BoundedEnvironment`, Jinja's immutable sandbox tightened in two ways.

Reach, by allow-list (:func:`readable`): a template reads the fields of the data it is
given (dataclass and pydantic fields, dict items), a listed set of methods of text,
numbers, dates, dicts and lists, and the documented parts of Jinja's own loop, cycler,
macro and namespace objects; nothing else.  Every other attribute is refused with a
``SecurityError`` (no class, ``__globals__``, ``model_config``, ``__dict__`` ...), and
only allowed callables can be called.  ``str.format``, ``format_map`` and ``%`` look
attributes up through the same rules (and ``%`` takes text and numbers only).

Cost, by accounting: every loop iteration, call, filter, test, operator, comparison,
attribute read and join is charged to the :class:`Budget` of the render in progress,
which stops the render (:class:`BudgetExceeded`) past its steps, characters or
seconds.  Nothing a template makes grows past fixed sizes: a text over
:data:`MAX_TEXT` characters, a list over :data:`MAX_ITEMS` items or an integer over
:data:`MAX_INT_BITS` bits is refused *before* it is made wherever an operation could
multiply its input (``'x' * n``, ``**``, ``center``, ``replace``, ``indent``,
``wordwrap``, format widths, ``join``, ``batch`` ...), and checked after it is made
everywhere else.  Between two charges a render does a bounded amount of work, so the
deadline holds: no template can hang a run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import inspect
import re
import time
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any, cast

from jinja2 import nodes
from jinja2.compiler import CodeGenerator
from jinja2.environment import Template, TemplateModule
from jinja2.exceptions import SecurityError
from jinja2.filters import FILTERS, make_attrgetter
from jinja2.runtime import BlockReference, LoopContext, Macro, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEscapeFormatter, SandboxedFormatter
from jinja2.tests import TESTS
from jinja2.utils import Cycler, Joiner, Namespace
from markupsafe import Markup, soft_str
from pydantic import BaseModel

MAX_TEXT = 64 * 2**20         # size of any text a template makes, its whole output included: characters, each
                              # counted at the bytes Python stores it in (1, 2 or 4), so memory is what is bounded
MAX_ITEMS = 1_000_000         # items in any list, tuple or dict a template makes; characters of a text it splits
MAX_INT_BITS = 100_000        # bits of any integer a template computes
MAX_STEPS = 1_000_000         # charged operations of one render (report renders add some per item of the result)
MAX_CHARS = 4 * MAX_TEXT      # characters made in one render, all operations together (reports add per item)
RENDER_SECONDS = 120.0        # wall-clock time of one render


class BudgetExceeded(SecurityError):
    """A render went past its budget or made a value past the size limits."""


@dataclasses.dataclass
class Budget:
    """What one render may spend: charged operations, characters made, and a deadline."""

    # the defaults are read when a budget is made, so a changed module setting applies to the next render
    steps: int = dataclasses.field(default_factory=lambda: MAX_STEPS)
    chars: int = dataclasses.field(default_factory=lambda: MAX_CHARS)
    seconds: float = dataclasses.field(default_factory=lambda: RENDER_SECONDS)

    def __post_init__(self) -> None:
        self.deadline = time.monotonic() + self.seconds

    def charge(self, steps: int, chars: int) -> None:
        self.steps -= steps
        self.chars -= chars
        if self.steps < 0:
            raise BudgetExceeded("the template ran too many steps (a loop or recursion that does not end soon)")
        if self.chars < 0:
            raise BudgetExceeded("the template made too much text")
        if time.monotonic() > self.deadline:
            raise BudgetExceeded(f"the template ran longer than {self.seconds:g} seconds")


_ACTIVE: ContextVar[Budget | None] = ContextVar("checker_template_budget", default=None)


@contextmanager
def spending(budget: Budget) -> Iterator[Budget]:
    """Charge every template rendered inside this block to ``budget``."""
    token = _ACTIVE.set(budget)
    try:
        yield budget
    finally:
        _ACTIVE.reset(token)


def charge(steps: int = 1, chars: int = 0) -> None:
    """Charge the render in progress (none while a template compiles: constants fold for free)."""
    budget = _ACTIVE.get()
    if budget is not None:
        budget.charge(steps, chars)


# --- sizes -----------------------------------------------------------------------------------------------

_SCALARS = (int, float, Decimal, bool, type(None), dt.date, dt.time, dt.timedelta)


def _refuse(what: str) -> BudgetExceeded:
    return BudgetExceeded(f"{what}: past the size a template may make")


def size(text: str) -> int:
    """What a text weighs against the limits: its characters at the bytes Python stores each in (1, 2 or 4)."""
    if not text or text.isascii():
        return len(text)
    widest = max(text)
    return len(text) * (4 if widest > "\uffff" else 2 if widest > "\xff" else 1)


#: Filters whose output can be several times their input, and how many times at most.
GROWTH = {"e": 6, "escape": 6, "forceescape": 6, "urlencode": 12, "xmlattr": 6}


def checked(value: Any, limit: int = MAX_TEXT) -> Any:
    """``value`` if it is within the size limits (texts are also charged), else BudgetExceeded."""
    if isinstance(value, str):
        weight_ = size(value)
        if weight_ > limit:
            raise _refuse(f"a text of {len(value):,} characters")
        charge(1, weight_)
    elif isinstance(value, (list, tuple, dict, set, frozenset)):
        if len(value) > MAX_ITEMS:
            raise _refuse(f"a collection of {len(value):,} items")
    elif isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        raise _refuse(f"an integer of {value.bit_length():,} bits")
    return value


def weight(value: Any, limit: int = MAX_TEXT) -> int:
    """An upper bound of the length of ``str(value)``, counted up to just past ``limit``.

    Texts count their length (ten per character inside a container, where ``repr``
    may escape them), numbers their digits; containers, dataclasses and pydantic models
    the weights of what they hold.  Visits at most :data:`MAX_ITEMS` objects.
    """
    total, visited, stack = 0, 0, [(value, False)]
    while stack and total <= limit:
        x, nested = stack.pop()
        visited += 1
        if visited > MAX_ITEMS:
            return limit + 1
        if isinstance(x, str):
            total += len(x) * (10 if nested else 1) + 2
        elif isinstance(x, int) and not isinstance(x, bool):
            total += x.bit_length() // 3 + 2
        elif isinstance(x, _SCALARS):
            total += 40
        elif isinstance(x, dict):
            total += 4 * len(x) + 2
            stack.extend((item, True) for pair in x.items() for item in pair)
        elif isinstance(x, (list, tuple, set, frozenset)):
            total += 2 * len(x) + 2
            stack.extend((item, True) for item in x)
        elif isinstance(x, BaseModel) or (dataclasses.is_dataclass(x) and not isinstance(x, type)):
            names = _fields(x)
            total += len(type(x).__name__) + sum(len(n) + 3 for n in names)
            stack.extend((getattr(x, n), True) for n in names)
        elif isinstance(x, Namespace):
            stack.append((object.__getattribute__(x, "_Namespace__attrs"), True))
        elif isinstance(x, TemplateModule):
            total += len(str(x))
        else:
            total += 100
    charge(1, visited)
    return total


def fits(value: Any, limit: int = MAX_TEXT) -> None:
    """Refuse ``value`` when ``str(value)`` could pass ``limit`` characters (without making it)."""
    if isinstance(value, str):
        checked(value, limit)
    elif not isinstance(value, (_SCALARS, Undefined)) and weight(value, limit) > limit:
        raise _refuse(f"the text of a {type(value).__name__} value")


def as_text(value: Any, limit: int = MAX_TEXT) -> str:
    """``str(value)``, refused (before it is made) when it would pass ``limit`` characters."""
    fits(value, limit)
    return value if isinstance(value, str) else checked(str(value), limit)


def _fields(obj: Any) -> tuple[str, ...]:
    if isinstance(obj, BaseModel):
        return tuple(type(obj).model_fields)
    return tuple(f.name for f in dataclasses.fields(obj))


# --- reach -----------------------------------------------------------------------------------------------

_STR_METHODS = frozenset(
    "capitalize casefold center count endswith find format format_map index isalnum isalpha isascii isdecimal "
    "isdigit isidentifier islower isnumeric isprintable isspace istitle isupper join ljust lower lstrip partition "
    "removeprefix removesuffix replace rfind rindex rjust rpartition rsplit rstrip split splitlines startswith "
    "strip swapcase title upper zfill".split())
_DATE_ATTRS = frozenset("year month day weekday isoweekday isoformat strftime".split())
_TIME_ATTRS = frozenset("hour minute second microsecond isoformat strftime".split())
_METHODS: tuple[tuple[type | tuple[type, ...], frozenset[str]], ...] = (
    (Markup, _STR_METHODS | {"striptags", "unescape"}),
    (str, _STR_METHODS),
    (dict, frozenset({"items", "keys", "values", "get"})),
    ((list, tuple), frozenset({"count", "index"})),
    (dt.datetime, _DATE_ATTRS | _TIME_ATTRS | {"date"}),
    (dt.date, _DATE_ATTRS),
    (dt.time, _TIME_ATTRS),
    (LoopContext, frozenset("index index0 revindex revindex0 first last length depth depth0 previtem nextitem "
                            "cycle changed".split())),
    (Cycler, frozenset({"current", "next", "reset"})),
    (Macro, frozenset({"name", "arguments", "catch_kwargs", "catch_varargs", "caller"})),
    (BlockReference, frozenset({"super"})),
)


def readable(obj: Any, name: str) -> bool:
    """Whether a template may read ``obj.name``: a data field, a listed method, a template's own name."""
    if name.startswith("_") or isinstance(obj, type):
        return False
    if isinstance(obj, BaseModel):
        return name in type(obj).model_fields
    if dataclasses.is_dataclass(obj):
        return name in {f.name for f in dataclasses.fields(obj)}
    if isinstance(obj, tuple) and name in getattr(type(obj), "_fields", ()):
        return True  # groupby's (grouper, list) tuples
    if isinstance(obj, Namespace):
        return True  # only the names the template set
    if isinstance(obj, TemplateModule):
        return name in vars(obj)  # what an imported template exports
    return any(isinstance(obj, kind) and name in names for kind, names in _METHODS)


def _forbidden(obj: Any, name: str) -> SecurityError:
    return SecurityError(f"a template may not read {name!r} of a {type(obj).__name__} value")


# --- formatting ------------------------------------------------------------------------------------------

_SPEC_NUMBER = re.compile(r"\d+")
_PERCENT = re.compile(r"%(?:\(([^)]*)\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?(.)", re.S)


class _FieldBound:
    """A ``str.format`` that charges each field and refuses widths or output past :data:`MAX_TEXT`."""

    made = 0

    def format_field(self, value: Any, format_spec: str) -> Any:
        if any(int(n) > MAX_TEXT for n in _SPEC_NUMBER.findall(format_spec)):
            raise _refuse(f"format width {format_spec!r}")
        fits(value)
        text = super().format_field(value, format_spec)  # type: ignore[misc]
        self.made += len(text)
        if self.made > MAX_TEXT:
            raise _refuse("a formatted text")
        charge(1, len(text))
        return text


class _BoundedFormatter(_FieldBound, SandboxedFormatter):
    pass


class _BoundedEscapeFormatter(_FieldBound, SandboxedEscapeFormatter):
    pass


def check_percent(fmt: str, values: Any) -> None:
    """Refuse ``fmt % values`` unless its values are text and numbers and its result fits :data:`MAX_TEXT`."""
    items = values if isinstance(values, tuple) else (values,)
    for value in (values.values() if isinstance(values, Mapping) else items):
        if not isinstance(value, (str, *_SCALARS)):
            raise SecurityError(f"'%' formats text and numbers, not a {type(value).__name__} value")
    estimate, position = len(fmt), 0
    for key, width, precision, conversion in _PERCENT.findall(fmt):
        if conversion == "%":
            continue
        if "*" in (width, precision):
            raise SecurityError("'%' with a '*' width is not allowed in templates")
        if key and isinstance(values, Mapping):
            value = values.get(key, "")
        else:
            value, position = (items[position] if position < len(items) else ""), position + 1
        estimate += int(width or 0) + int(precision or 0) + weight(value) * (10 if conversion in "ra" else 1)
        if estimate > MAX_TEXT:
            raise _refuse("a '%' formatted text")


# --- operations that could multiply their input ------------------------------------------------------------

def _repeat(seq: Any, n: Any) -> None:
    if isinstance(n, int) and n > 1:
        if isinstance(seq, str) and size(seq) * n > MAX_TEXT:
            raise _refuse(f"{len(seq):,} characters repeated {n:,} times")
        if isinstance(seq, (list, tuple)) and (len(seq) * n > MAX_ITEMS or weight(seq, MAX_TEXT // n) * n > MAX_TEXT):
            raise _refuse(f"{len(seq):,} items repeated {n:,} times")


def _check_binop(op: str, left: Any, right: Any) -> None:
    ints = all(isinstance(x, int) and not isinstance(x, bool) for x in (left, right))
    if op == "*":
        _repeat(left, right)
        _repeat(right, left)
        if ints and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise _refuse("a product")
    elif op == "**" and ints and right > 0 and abs(left) > 1 and right * left.bit_length() > MAX_INT_BITS:
        raise _refuse(f"{left} ** {right}")
    elif op == "+" and isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
        if len(left) + len(right) > MAX_ITEMS:
            raise _refuse("a joined list")
    elif op == "+" and isinstance(left, str) and isinstance(right, str) and size(left) + size(right) > MAX_TEXT:
        raise _refuse("a joined text")
    elif op == "%" and isinstance(left, str):
        check_percent(left, right)


def _arguments(func: Callable, args: tuple, kwargs: dict) -> dict[str, Any]:
    bound = inspect.signature(func).bind(*args, **kwargs)
    bound.apply_defaults()
    return bound.arguments


def _width_estimate(text: Any, width: Any) -> None:
    if isinstance(width, int) and width > MAX_TEXT:
        raise _refuse(f"width {width:,}")


def _replace_estimate(text: Any, old: Any, new: Any, count: Any = None) -> None:
    text, old, new = soft_str(text), soft_str(old), soft_str(new)
    n = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        n = min(n, count)
    if len(text) + n * max(len(new) - len(old), 0) > MAX_TEXT:
        raise _refuse("a replaced text")


def _lines_estimate(text: Any, per_line: int) -> None:
    text = soft_str(text)
    if len(text) + (text.count("\n") + 1) * per_line > MAX_TEXT:
        raise _refuse("an indented text")


def _split_estimate(text: str) -> None:
    if len(text) > 2 * MAX_ITEMS:
        raise _refuse(f"splitting {len(text):,} characters")


def _join(sep: Any, items: Iterable[Any], markup: bool) -> str:
    """``sep.join(items)``, each item made text in turn and the total checked as it grows."""
    sep = as_text(sep)
    texts: list[str] = []
    total = 0
    for item in items:
        text = item if isinstance(item, str) else (soft_str(item) if isinstance(item, Markup) else as_text(item))
        total += len(text) + len(sep)
        if total > MAX_TEXT or len(texts) >= MAX_ITEMS:
            raise _refuse("a joined text")
        texts.append(text)
    charge(1, total)
    if markup and (isinstance(sep, Markup) or any(hasattr(t, "__html__") for t in texts)):
        return Markup(sep if isinstance(sep, Markup) else Markup.escape(sep)).join(texts)
    return str(sep).join(texts)


def _check_method(obj: Any, args: tuple, kwargs: dict) -> tuple:
    """Refuse a text method call whose result could pass the limits; the arguments to call it with."""
    target, name = getattr(obj, "__self__", None), getattr(obj, "__name__", "")
    if name == "strftime" and isinstance(target, (dt.date, dt.time)) and args and isinstance(args[0], str) \
            and len(args[0]) * 32 > MAX_TEXT:
        raise _refuse("a date format")
    if not isinstance(target, str):
        return args
    a = list(args) + list(kwargs.values())
    if name in ("center", "ljust", "rjust", "zfill") and a:
        _width_estimate(target, a[0])
    elif name == "replace" and len(a) >= 2:
        _replace_estimate(target, *a[:3])
    elif name in ("split", "rsplit", "splitlines"):
        _split_estimate(target)
    elif name == "join" and args:
        items = list(args[0]) if not isinstance(args[0], (list, tuple)) else args[0]
        size = sum(len(i) for i in items if isinstance(i, str)) + len(target) * len(items)
        if len(items) > MAX_ITEMS or size > MAX_TEXT:
            raise _refuse("a joined text")
        return (items,) + args[1:]
    return args


# --- filters and tests -----------------------------------------------------------------------------------

def _pass_arg(func: Callable) -> bool:
    return getattr(func, "jinja_pass_arg", None) is not None


#: Filters whose input becomes text as a whole: refused before a too large value is made text.
TEXT_FILTERS = frozenset("capitalize center e escape forceescape format indent lower replace safe string striptags "
                         "title tojson trim truncate upper urlencode wordcount wordwrap xmlattr".split())
#: Filters that iterate their input: a text that would explode into too many items is refused.
ITEM_FILTERS = frozenset("batch dictsort first groupby items join last list map max min random reject rejectattr "
                         "reverse select selectattr slice sort sum unique".split())


def _precheck(name: str, func: Callable, args: tuple, kwargs: dict) -> None:
    """Per-filter refusals: arguments that would multiply the input (widths, fills, indents, repeats)."""
    if name not in ("center", "indent", "wordwrap", "replace", "batch", "slice", "tojson", "sum", "format"):
        return
    a = _arguments(func, args, kwargs)
    if name == "center":
        _width_estimate(a["value"], a["width"])
    elif name == "indent":
        width = a["width"]
        _lines_estimate(a["s"], len(width) if isinstance(width, str) else int(width))
    elif name == "wordwrap":
        if len(a["s"]) * (1 + len(a["wrapstring"] or "\n")) > MAX_TEXT:
            raise _refuse("a wrapped text")
    elif name == "replace":
        _replace_estimate(a["s"], a["old"], a["new"], a["count"])
    elif name in ("batch", "slice"):
        count = a["linecount" if name == "batch" else "slices"]
        if not isinstance(count, int) or count > MAX_ITEMS:
            raise _refuse(f"{name}({count!r})")
    elif name == "tojson":
        indent = a["indent"]
        if indent is not None and (not isinstance(indent, int) or indent > 16):
            raise SecurityError("tojson's indent is a number up to 16 in templates")
        if weight(a["value"]) * (1 + (indent or 0)) > MAX_TEXT:
            raise _refuse("a JSON text")
    elif name == "sum" and not isinstance(a["start"], (int, float, Decimal)):
        raise SecurityError("sum adds numbers in templates")
    elif name == "format":
        check_percent(soft_str(a["value"]), a["kwargs"] or a["args"])


def bounded_filter(name: str, func: Callable, makes_text: bool = False) -> Callable:
    """``func`` as a filter of a bounded environment: charged, its input and output size-checked.

    ``makes_text``: the filter makes its input text as a whole (as :data:`TEXT_FILTERS` do).
    """
    skip = 1 if _pass_arg(func) else 0
    makes_text = makes_text or name in TEXT_FILTERS

    @functools.wraps(func)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        charge()
        value = args[skip] if len(args) > skip else None
        if makes_text:
            fits(value)
        if name in GROWTH and isinstance(value, str) and size(value) * GROWTH[name] > MAX_TEXT:
            raise _refuse(f"{name} of {len(value):,} characters")   # refused before it is made
        if name in ITEM_FILTERS and isinstance(value, str) and len(value) > MAX_ITEMS:
            raise _refuse(f"{name} over {len(value):,} characters")
        for arg in (*args[skip + 1:], *kwargs.values()):
            fits(arg) if isinstance(arg, str) else None
        _precheck(name, func, args, kwargs)
        return checked(func(*args, **kwargs))

    return bounded


def bounded_test(func: Callable) -> Callable:
    """``func`` as a test of a bounded environment: charged."""

    @functools.wraps(func)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        charge()
        return func(*args, **kwargs)

    return bounded


def _join_filter(eval_ctx: Any, value: Iterable[Any], d: str = "", attribute: Any = None) -> str:
    """Jinja's ``join``, each item made text in turn and the total checked as it grows."""
    if attribute is not None:
        value = map(make_attrgetter(eval_ctx.environment, attribute), value)
    return _join(d, value, bool(eval_ctx.autoescape))


def _attr_filter(environment: Any, obj: Any, name: Any) -> Any:
    """Jinja's ``attr``, through the environment's rules of what a template may read."""
    name = str(name)
    if readable(obj, name):
        return environment.getattr(obj, name)
    if name.startswith("_") or isinstance(obj, type) or hasattr(type(obj), name):
        raise _forbidden(obj, name)
    return environment.undefined(obj=obj, name=name)


_join_filter.jinja_pass_arg = FILTERS["join"].jinja_pass_arg  # type: ignore[attr-defined]
_attr_filter.jinja_pass_arg = FILTERS["attr"].jinja_pass_arg  # type: ignore[attr-defined]

#: Jinja's built-in filters a bounded environment offers (``pprint`` and ``urlize`` are left out: the
#: first prints any object's repr, the second rewrites text with markup of its own).
BUILTIN_FILTERS: dict[str, Callable] = {name: f for name, f in FILTERS.items() if name not in ("pprint", "urlize")}
BUILTIN_FILTERS.update(join=_join_filter, attr=_attr_filter)
#: Jinja's tests a bounded environment offers.
#: (mypy infers jinja2's TESTS as dict[str, function], the join of its tests' signatures, which it does not
#: take as callables; every value is a test function.)
BUILTIN_TESTS: dict[str, Callable] = cast("dict[str, Callable]", dict(TESTS))


# --- the compiled template's hooks -----------------------------------------------------------------------

class BoundedCodeGenerator(CodeGenerator):
    """Jinja's code generator with three hooks into :class:`BoundedEnvironment`: each loop iteration is
    charged (the loop's iterable goes through ``bounded_iter``), ``~`` joins piece by piece with its
    size checked, and each comparison is charged."""

    def visit_For(self, node: nodes.For, frame: Any) -> None:
        if not _is_bounded(node.iter):
            node.iter = nodes.Call(nodes.EnvironmentAttribute("bounded_iter"), [node.iter], [], None, None,
                                   lineno=node.iter.lineno)
        super().visit_For(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Any) -> None:
        if frame.eval_ctx.volatile:
            markup = "context.eval_ctx.autoescape"
        else:
            markup = "True" if frame.eval_ctx.autoescape else "False"
        self.write(f"environment.bounded_join({markup}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")

    def visit_Compare(self, node: nodes.Compare, frame: Any) -> None:
        self.write("environment.charged(")
        super().visit_Compare(node, frame)
        self.write(")")


def _is_bounded(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Call) and isinstance(node.node, nodes.EnvironmentAttribute) \
        and node.node.name == "bounded_iter"


class BoundedTemplate(Template):
    """A template that renders within a budget (the environment's default one unless a caller set one)."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        if _ACTIVE.get() is not None:
            return super().render(*args, **kwargs)
        with spending(self.environment.budget()):  # type: ignore[attr-defined]
            return super().render(*args, **kwargs)

    def generate(self, *args: Any, **kwargs: Any) -> Iterator[str]:
        yield self.render(*args, **kwargs)

    def make_module(self, vars: dict | None = None, shared: bool = False, locals: Mapping | None = None
                    ) -> TemplateModule:
        ctx = self.new_context(vars, shared, locals)
        body = self.environment.bounded_pieces(self.root_render_func(ctx))  # type: ignore[attr-defined]
        return TemplateModule(self, ctx, body)


GLOBALS = ("range", "dict", "cycler", "joiner", "namespace")


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with the reach and the cost of a template bounded (see the module's docstring).

    ``filters`` maps each filter offered to a callable of the caller's own, or to None for Jinja's
    built-in of that name (:data:`BUILTIN_FILTERS`); ``text_filters`` names the caller's filters
    that make their input text; ``tests`` names Jinja's tests offered and ``globals`` which of
    :data:`GLOBALS`; ``finalize`` is Jinja's, applied before each output expression is charged;
    ``budget`` makes the budget of a render no caller gave one (:func:`spending`).
    """

    code_generator_class = BoundedCodeGenerator
    template_class = BoundedTemplate
    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})

    def __init__(self, *, filters: Mapping[str, Callable | None], tests: Iterable[str], globals: Iterable[str],
                 text_filters: Iterable[str] = (), finalize: Callable[[Any], Any] | None = None,
                 budget: Callable[[], Budget] = Budget, **options: Any) -> None:
        super().__init__(finalize=self._finalizer(finalize), **options)
        text_filters = set(text_filters)
        self.filters = {name: bounded_filter(name, f if f is not None else BUILTIN_FILTERS[name], name in text_filters)
                        for name, f in filters.items()}
        self.tests = {name: bounded_test(BUILTIN_TESTS[name]) for name in tests}
        self.globals = {name: self.globals[name] for name in globals}
        self.budget = budget

    # output and joins
    @staticmethod
    def _finalizer(finalize: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
        def bounded_finalize(value: Any) -> Any:
            if finalize is not None:
                value = finalize(value)
            if isinstance(value, Undefined) or hasattr(value, "__html__"):
                return value
            return as_text(value)

        return bounded_finalize

    def concat(self, pieces: Iterable[str]) -> str:
        return "".join(self.bounded_pieces(pieces))

    def bounded_pieces(self, pieces: Iterable[str]) -> list[str]:
        """The pieces of a template's output, refused once they pass :data:`MAX_TEXT` characters together."""
        out, total = [], 0
        for piece in pieces:
            total += len(piece)
            if total > MAX_TEXT:
                raise _refuse("the template's output")
            out.append(piece)
        charge(1, total)
        return out

    def bounded_join(self, markup: bool, parts: tuple) -> str:
        return _join("", parts, markup)

    def bounded_iter(self, iterable: Iterable[Any]) -> Iterator[Any]:
        if isinstance(iterable, str) and len(iterable) > MAX_ITEMS:
            raise _refuse(f"a loop over {len(iterable):,} characters")
        for item in iterable:
            charge()
            yield item

    @staticmethod
    def charged(value: Any) -> Any:
        charge()
        return value

    # reach
    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return readable(obj, attr)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        raise _forbidden(obj, attribute)

    def getattr(self, obj: Any, attribute: str) -> Any:
        charge()
        if isinstance(obj, type):
            raise _forbidden(obj, attribute)
        if readable(obj, attribute):
            return super().getattr(obj, attribute)
        try:
            return checked(obj[attribute])
        except (TypeError, LookupError):
            pass
        if attribute.startswith("_") or hasattr(type(obj), attribute) or isinstance(obj, type):
            raise _forbidden(obj, attribute)
        return self.undefined(obj=obj, name=attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        charge()
        try:
            return checked(obj[argument])
        except (TypeError, LookupError):
            pass
        if isinstance(argument, str):
            return self.getattr(obj, argument)
        return self.undefined(obj=obj, name=argument)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        if not isinstance(value, (types.MethodType, types.BuiltinMethodType)) or \
                value.__name__ not in ("format", "format_map") or not isinstance(value.__self__, str):
            return None
        text = value.__self__
        formatter = _BoundedEscapeFormatter(self, escape=text.escape) if isinstance(text, Markup) \
            else _BoundedFormatter(self)
        is_map = value.__name__ == "format_map"

        def bounded_format(*args: Any, **kwargs: Any) -> str:
            if is_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one argument")
                mapping = args[0]
                args, kwargs = (), mapping
            return type(text)(formatter.vformat(text, args, kwargs))

        bounded_format.bounded_format = True  # type: ignore[attr-defined]
        return bounded_format

    def is_safe_callable(self, obj: Any) -> bool:
        if isinstance(obj, (Macro, LoopContext, BlockReference, Joiner)) or getattr(obj, "bounded_format", False):
            return True
        if any(obj is g for g in self.globals.values()):
            return True
        if getattr(obj, "__self__", None) is self and getattr(obj, "__name__", "") == "bounded_iter":
            return True
        owner = getattr(obj, "__self__", None)
        return isinstance(obj, (types.MethodType, types.BuiltinMethodType)) and owner is not None \
            and not isinstance(owner, types.ModuleType) and readable(owner, obj.__name__)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        charge()
        if isinstance(__obj, LoopContext) and args:  # a recursive loop's next level
            args = (__self.bounded_iter(args[0]),) + args[1:]
        for arg in (*args, *kwargs.values()):
            if isinstance(arg, str):
                checked(arg)
        if not __self.is_safe_callable(__obj):
            raise SecurityError(f"a template may not call {type(__obj).__name__} {getattr(__obj, '__name__', '')!r}")
        args = _check_method(__obj, args, kwargs)
        return checked(__context.call(__obj, *args, **kwargs))

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        charge()
        _check_binop(operator, left, right)
        return checked(self.binop_table[operator](left, right))

