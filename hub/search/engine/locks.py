"""Index locks that name their holder, stay out of a rebuild's worker processes, and are broken
when their holder is gone.

A lock is an ``flock`` on a file, as Whoosh's own ``FcntlLock``: the kernel releases it when the
last descriptor of the file closes, so a writer that dies releases it. But a descriptor is copied
into every process forked while it is open, and the rebuild forks its workers (Whoosh's
``MpWriter``) while it holds the host lock and the live index's write lock: when a killed
``flask hub reindex`` left its workers running, they kept both locks and every publish waited
for the lock timeout. So:

* a worker closes the lock descriptors it inherited (``close_inherited``, never ``LOCK_UN``,
  which would release the parent's lock too) and dies with its parent (bulk.py);
* the lock file records its holder (pid, host, boot id, the process's start time), written under
  a short guard lock together with taking the lock, so a record is never half-written or stale
  while the lock is held;
* a waiter that finds the lock held by a recorded holder that is gone (same host and boot, and
  no process with that pid and start time) breaks it: it removes the file, under the guard, so
  the next attempt locks a new file. Whoever still has the old file open is a process forked by
  the dead holder (such as a rebuild's worker, which writes only its own build folder), never
  a writer of the index. A lock without a record, or recorded on another host, is never broken.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import socket
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger(__name__)

BOOT_ID = Path("/proc/sys/kernel/random/boot_id")

# Descriptors of the locks this process holds: a forked worker closes its copies.
_held: set[int] = set()

# What the locks of this process did: "contended" (an attempt found the lock held), "broken"
# (a dead holder's lock removed), "timed_out" (a wait gave up). Tests and logs read it.
lock_events: Counter[str] = Counter()


def _boot_id() -> str:
    try:
        return BOOT_ID.read_text().strip()
    except OSError:
        return ""


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (/proc), or None if it is not running
    (gone, or a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] in ("Z", "X"):
        return None
    return fields[19]


@dataclass(frozen=True)
class Holder:
    """Who holds a lock: enough to tell, on the same host, whether that process is gone."""

    pid: int
    host: str
    boot: str
    started: str

    @classmethod
    def this_process(cls) -> Holder:
        return cls(os.getpid(), socket.gethostname(), _boot_id(), _start_time(os.getpid()) or "")

    def to_json(self) -> str:
        """The record a lock file or a build folder keeps; ``parse`` reads it back."""
        return json.dumps(asdict(self))

    @classmethod
    def parse(cls, text: str) -> Holder | None:
        try:
            return cls(**json.loads(text))
        except (ValueError, TypeError):
            return None

    def is_gone(self) -> bool:
        """True only when this host can tell for sure: same host name and boot, and no
        process with this pid that started at the recorded time."""
        if not self.boot or self.host != socket.gethostname() or self.boot != _boot_id():
            return False
        return _start_time(self.pid) != self.started


def _guard_path(path: Path) -> Path:
    name = path.name if path.name.startswith(".") else f".{path.name}"
    return path.with_name(f"{name}.guard")


@contextlib.contextmanager
def _guard(path: Path) -> Iterator[bool]:
    """A short lock around taking, recording and breaking ``path``'s lock; yields False if it
    is busy (the caller tries again)."""
    fd = os.open(_guard_path(path), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        _held.add(fd)
        try:
            yield True
        finally:
            _held.discard(fd)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _read_holder(fd: int) -> Holder | None:
    return Holder.parse(os.pread(fd, 4096, 0).decode("utf-8", "replace"))


class HolderLock:
    """An exclusive lock on a file that records its holder (Whoosh's lock protocol:
    ``acquire(blocking=False) -> bool`` and ``release()``)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.fd: int | None = None

    def acquire(self, blocking: bool = False) -> bool:
        """One attempt (a dead holder's lock is broken and tried again at once); ``blocking``
        waits without a bound, as Whoosh's own lock does."""
        while True:
            if self._attempt():
                return True
            if not blocking:
                return False
            time.sleep(0.05)

    def acquire_within(self, timeout: float, delay: float = 0.02) -> None:
        """Wait up to ``timeout`` seconds; TimeoutError names the holder."""
        deadline = time.monotonic() + timeout
        while not self._attempt():
            if time.monotonic() > deadline:
                lock_events["timed_out"] += 1
                raise TimeoutError(f"{self.path} stayed locked by {self.holder()}")
            time.sleep(delay)

    def holder(self) -> Holder | None:
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return None
        try:
            return _read_holder(fd)
        finally:
            os.close(fd)

    def _attempt(self) -> bool:
        for _ in range(2):  # a second time only after breaking a dead holder's lock
            with _guard(self.path) as guarded:
                if not guarded:
                    lock_events["contended"] += 1
                    return False
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        os.close(fd)
                        raise
                    holder = _read_holder(fd)
                    os.close(fd)
                    if holder is not None and holder.is_gone():
                        self._break(holder)
                        continue
                    lock_events["contended"] += 1
                    return False
                record = Holder.this_process().to_json().encode()
                os.ftruncate(fd, 0)
                os.pwrite(fd, record, 0)
                self.fd = fd
                _held.add(fd)
                return True
        return False

    def _break(self, holder: Holder) -> None:
        """Remove the lock file of a holder that is gone (the guard is held)."""
        log.warning(
            "breaking the lock %s: its holder, process %d on this host, is gone; processes it "
            "forked still had the file open",
            self.path, holder.pid,
        )  # fmt: skip
        lock_events["broken"] += 1
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def release(self) -> None:
        if self.fd is None:
            raise RuntimeError(f"{self.path} was not acquired")
        fd, self.fd = self.fd, None
        _held.discard(fd)
        try:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


def close_inherited() -> None:
    """In a forked worker: close the lock descriptors copied from the parent, so the locks are
    the parent's alone (closing a copy leaves the parent's lock in place; unlocking would not)."""
    for fd in list(_held):
        with contextlib.suppress(OSError):
            os.close(fd)
    _held.clear()
