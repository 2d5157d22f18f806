"""Great Expectations, imported with what it loads but never runs here deferred.

GX 1.x imports `scipy.stats` at load time for its distribution expectations (KL divergence, KS
tests), which no suite here uses: ~0.5 s of the ~1.8 s of CPU its import takes, paid once per build
by the checkers' server. `scipy.stats` is given a lazy module instead (`importlib.util.LazyLoader`):
it loads on first attribute access, so an expectation that does use it still works. (A lazy module
is not safe to load from two threads at once before Python 3.12; a checker validates in one thread.)

GX also rebuilds an expectation's `configuration` (a pydantic `.dict()`, a regex on the class name,
a new `ExpectationConfiguration`) every time it is read: ~50 times per expectation in one
validation, ~40 % of a check's CPU. `remember_configurations` makes each one once, until
`forget_configurations` (after each check) or until the expectation is changed.
"""

from __future__ import annotations

import importlib.util
import sys

DEFERRED = ("scipy.stats",)


def defer(name: str) -> None:
    """Put a lazy module for `name` in `sys.modules` (and on its parent package); a module already
    loaded, or not installed, is left as it is."""
    if name in sys.modules:
        return
    parent, _, child = name.rpartition(".")
    if parent:
        importlib.import_module(parent)
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        return
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    if parent:
        setattr(sys.modules[parent], child, module)


for _name in DEFERRED:
    defer(_name)

# After the deferrals, which are the point; what `validate` uses of GX is taken from here.
import great_expectations as gx  # noqa: E402
from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: E402
from great_expectations.execution_engine import pandas_execution_engine  # noqa: E402
from great_expectations.expectations.expectation import Expectation  # noqa: E402

# id -> (expectation, its configuration): the expectation is held, so its id is not reused meanwhile.
_CONFIGURATIONS: dict[int, tuple[Expectation, object]] = {}
_make_configuration = Expectation.configuration.fget
_set_attribute = Expectation.__setattr__


def _remembered_configuration(self: Expectation) -> object:
    kept = _CONFIGURATIONS.get(id(self))
    if kept is None:
        kept = _CONFIGURATIONS[id(self)] = (self, _make_configuration(self))
    return kept[1]


def _forget_then_set(self: Expectation, name: str, value: object) -> None:
    _CONFIGURATIONS.pop(id(self), None)
    _set_attribute(self, name, value)


def remember_configurations() -> None:
    """From now on, in this process, an expectation's `configuration` is made once (see above)."""
    Expectation.configuration = property(_remembered_configuration, doc=Expectation.configuration.__doc__)
    Expectation.__setattr__ = _forget_then_set


def forget_configurations() -> None:
    """Drop the configurations made so far (and the expectations they hold)."""
    _CONFIGURATIONS.clear()


__all__ = ["ProgressBarsConfig", "defer", "forget_configurations", "gx", "pandas_execution_engine",
           "remember_configurations"]
