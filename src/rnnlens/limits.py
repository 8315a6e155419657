"""Caps on what one model config may ask for, shared by the spec and every file reader.

They sit far above any real recurrent stack and far below what makes a hostile file cost
minutes or gigabytes: ``Sequential.from_config`` checks them before building a layer.
"""

from __future__ import annotations

import contextlib

#: Layers in one model config.
MAX_LAYERS = 10_000
#: A model config (JSON text) on its own, inside any container.
MAX_CONFIG_BYTES = 16 << 20
#: Any one dimension of a shape or a size argument (units, input_shape entries).
MAX_DIMENSION = 1 << 40
#: Dimensions in one shape.
MAX_RANK = 32


def memory_limit_bytes() -> int:
    """The memory this process may use: the least of RAM, ``RLIMIT_AS`` and the cgroup's limit.

    A container or ``ulimit -v`` can allow far less than the machine has; checking against
    physical RAM alone lets an allocation fail later as a bare ``MemoryError``.

    >>> memory_limit_bytes() > 0
    True
    """
    import os

    limits = [1 << 50]  # not POSIX: assume plenty
    with contextlib.suppress(ValueError, OSError, AttributeError):
        limits.append(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
        if soft != resource.RLIM_INFINITY and soft > 0:
            limits.append(soft)
    except (ImportError, ValueError, OSError):
        pass
    for name in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(name, encoding="ascii") as stream:
                text = stream.read(64).strip()
        except (OSError, UnicodeDecodeError):
            continue
        if text.isdigit() and 0 < int(text) < 1 << 60:
            limits.append(int(text))
    return min(limits)
