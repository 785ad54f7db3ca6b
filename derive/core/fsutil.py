"""Atomic file writes: a temp file in the same folder, then a rename.

Every failure is a :class:`WriteError` whose message names the path.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


class WriteError(OSError):
    """A file or folder could not be written; the message names it."""

    def __str__(self) -> str:
        return str(self.strerror)


def _error(path: Path, exc: OSError) -> WriteError:
    return WriteError(exc.errno, f"{path}: cannot write: {exc.strerror or exc}")


def writable_folder(folder: Path | str, target: Path | str | None = None) -> Path:
    """Make ``folder`` (and its parents) if needed and make sure a file can be
    created in it; :class:`WriteError` naming ``target`` (default the folder)
    otherwise. Call before the work whose results go there."""
    folder = Path(folder)
    name = Path(target) if target is not None else folder
    for parent in [folder, *folder.parents]:
        if parent.exists():
            if not parent.is_dir():
                raise WriteError(20, f"{name}: cannot write: {parent} is not a folder")
            break
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".write-test.", suffix=".tmp")
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise _error(name, exc) from None
    return folder


def atomic_write(path: Path | str, data: str | bytes) -> None:
    path = Path(path)
    writable_folder(path.parent, path)
    mode = "wb" if isinstance(data, bytes) else "w"
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _error(path, exc) from None
    try:
        with (os.fdopen(fd, "wb") if isinstance(data, bytes)
              else os.fdopen(fd, "w", encoding="utf-8", newline="\n")) as fh:
            fh.write(data)  # type: ignore[arg-type]  # bytes to "wb", text to "w"
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError) and not isinstance(exc, WriteError):
            raise _error(path, exc) from None
        raise


class LineFile:
    """Lines written as they come to a temp file beside ``path``, renamed into
    place by :meth:`commit`. The temp file is made at once, so an unwritable
    path is found before any work. After an interruption :meth:`commit` still
    leaves a complete prefix: only whole lines, in the order written."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        if self.path.is_dir():
            raise WriteError(21, f"{self.path}: cannot write: it is a folder")
        writable_folder(self.path.parent, self.path)
        try:
            fd, self.tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        except OSError as exc:
            raise _error(self.path, exc) from None
        self.fh = os.fdopen(fd, "wb")
        self.ends = [0]  # where each whole line written ends (one append: safe from signals)
        self.committed = False

    def write(self, line: bytes) -> None:
        try:
            self.fh.write(line)
            self.fh.flush()  # the temp file shows progress; a line costs far more to compute
        except OSError as exc:
            raise _error(self.path, exc) from None
        self.ends.append(self.ends[-1] + len(line))

    @property
    def lines(self) -> int:
        """How many whole lines are written."""
        return len(self.ends) - 1

    def commit(self) -> None:
        """Keep the whole lines written so far as ``path``. Calling it again
        (after an interruption in the middle of the first call) finishes the
        job; after a completed commit it does nothing."""
        if self.committed:
            return
        if self.fh.closed and not os.path.exists(self.tmp):  # interrupted just after the rename
            self.committed = True
            return
        try:
            if not self.fh.closed:
                self.fh.flush()
                self.fh.truncate(self.ends[-1])
                os.fsync(self.fh.fileno())
                self.fh.close()
            os.chmod(self.tmp, 0o644)
            os.replace(self.tmp, self.path)
            self.committed = True
        except OSError as exc:
            self.discard()
            raise _error(self.path, exc) from None

    def discard(self) -> None:
        """Drop the temp file; ``path`` keeps what it held before."""
        try:
            self.fh.close()
        except OSError:
            pass
        try:
            os.unlink(self.tmp)
        except FileNotFoundError:
            pass
