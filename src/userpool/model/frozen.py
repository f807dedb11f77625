"""Values that refuse changes: what the configuration cache shares between every request of a process
(store/sql/config_cache.py), deep-frozen so that no request can change what the next one reads.

A value frozen here stays as it is for as long as it lives, so what is worked out from it may be kept by its
identity (model/claims.py keeps a client's readable attributes so).
"""

from __future__ import annotations

import dataclasses
from typing import Any, NoReturn, TypeVar

T = TypeVar("T")


def _refuse(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise TypeError("configuration read from the cache is shared by every request: copy it to change it")


class FrozenDict(dict[Any, Any]):
    """A dict that refuses changes. Reading it is a dict's reading; copies of it are plain dicts."""

    __slots__ = ()
    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __copy__(self) -> dict[Any, Any]:
        return dict(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[Any, Any]:
        from copy import deepcopy

        return {key: deepcopy(value, memo) for key, value in self.items()}

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self),))


class FrozenList(list[Any]):
    """A list that refuses changes. Reading it is a list's reading; copies of it are plain lists."""

    __slots__ = ()
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = extend = insert = pop = remove = clear = sort = reverse = _refuse

    def __copy__(self) -> list[Any]:
        return list(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        from copy import deepcopy

        return [deepcopy(value, memo) for value in self]

    def __reduce__(self) -> tuple[Any, ...]:
        return (list, (list(self),))


def frozen(value: T) -> T:
    """``value`` with every dict and list in it, and in the fields of the dataclasses in it, frozen."""
    if isinstance(value, dict):
        return FrozenDict((k, frozen(v)) for k, v in value.items())  # type: ignore[return-value]
    if isinstance(value, list):
        return FrozenList(frozen(v) for v in value)  # type: ignore[return-value]
    if isinstance(value, tuple):
        return tuple(frozen(v) for v in value)  # type: ignore[return-value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: frozen(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    return value
