"""Great Expectations, imported with what it loads but never runs here deferred.

GX 1.x imports, at load time, libraries that only some of its code paths use and no suite here runs:
`scipy.stats` for its distribution expectations (KL divergence, KS tests; ~0.5 s of the ~1.8 s of CPU
its import takes), `altair` (with `jsonschema` and `narwhals`; ~0.1 s) to draw those expectations'
charts, and `asyncio` through `tqdm.auto`. They are paid once per build by the checkers' server, on
the critical path of a small build. Each is given a stand-in module instead: it loads the real one on
its first attribute other than the module's own `__name__`/`__spec__`, so code that does use it still
works. A package's submodule must not be imported before the package is used (`from requests.adapters
import …` would load `requests.adapters` twice): that is why `requests`, which GX imports that way,
is not deferred, and a test checks that none of these is loaded by GX's import or a validation. (A
stand-in is not safe to load from two threads at once; a checker validates in one thread.)

GX also rebuilds an expectation's `configuration` (a pydantic `.dict()`, a regex on the class name,
a new `ExpectationConfiguration`) every time it is read: ~50 times per expectation in one
validation, ~40 % of a check's CPU. `remember_configurations` makes each one once, until
`forget_configurations` (after each check) or until the expectation is changed.
"""

from __future__ import annotations

import importlib.util
import sys
import types

DEFERRED = ("scipy.stats", "altair", "asyncio")


class _StandIn(types.ModuleType):
    """A module not loaded yet: its first missing attribute loads the real module (PEP 562's hook).

    `importlib.util.LazyLoader` is not enough before Python 3.12: `import altair` reads the module's
    `__spec__` to see whether it is being initialized, which already loads a lazy module.
    """

    def __getattr__(self, attribute: str) -> object:
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        real = importlib.import_module(name)
        self.__dict__.update(real.__dict__)  # later reads of the stand-in no longer come here
        return getattr(real, attribute)


def defer(name: str) -> None:
    """Put a stand-in for `name` in `sys.modules` (and on its parent package); a module already
    loaded, or not installed, is left as it is."""
    if name in sys.modules:
        return
    parent, _, child = name.rpartition(".")
    if parent:
        importlib.import_module(parent)
    spec = importlib.util.find_spec(name)
    if spec is None:
        return
    stand_in = _StandIn(name)
    stand_in.__spec__ = spec
    sys.modules[name] = stand_in
    if parent:
        setattr(sys.modules[parent], child, stand_in)


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
