"""Where the bridge and the companion listen: a directory only this user can enter.

The directory is per user and per REAPER resource folder: ``$XDG_RUNTIME_DIR/reaper-assist-<key>``
when that runtime directory is this user's and private, else ``<temp>/reaper-assist-<uid>-<key>``,
with ``<key>`` a hash of the resource folder's real path (so the socket path stays far below
AF_UNIX's 104-108 byte limit however deep the resource folder is). It is created with mode 0700
and checked before every use: a real directory (not a link), owned by this user, no access for
group or others. Anything else is refused with a message naming it: another user who creates the
directory first can make us refuse to start, never make us talk to them.

Inside it each service has one endpoint, ``<name>.sock`` (a Unix domain socket; the directory's
mode stops other users at ``connect``). Where Python has no AF_UNIX (Windows) the service listens
on 127.0.0.1 and publishes its port in ``<name>.port`` (mode 0600) inside the directory instead;
the setting ``REAPER_ASSIST_TRANSPORT=tcp`` (tests) forces that fallback. Standard library only:
the bridge runs inside REAPER.
"""

from __future__ import annotations

import errno
import hashlib
import os
import socket
import stat
import tempfile
import time

TRANSPORT_ENV = "REAPER_ASSIST_TRANSPORT"  # "tcp": the loopback fallback even where AF_UNIX exists
UNIX_PATH_MAX = 100  # sun_path is 104 bytes on macOS/BSD, 108 on Linux, both with the final NUL


class EndpointError(OSError):
    """The private directory or an endpoint in it cannot be used (the message says why)."""


class EndpointMissing(EndpointError, FileNotFoundError):
    """The private directory does not exist yet: nothing has listened for this resource folder."""


def use_unix() -> bool:
    return hasattr(socket, "AF_UNIX") and os.name != "nt" and os.environ.get(TRANSPORT_ENV) != "tcp"


def _uid() -> int | None:
    return os.geteuid() if hasattr(os, "geteuid") else None


def _private_problem(path: str) -> str:
    """Why ``path`` is not a private directory of this user ("" when it is)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return f"{path} does not exist"
    except OSError as exc:
        return f"cannot inspect {path}: {exc.strerror or exc}"
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
        return f"{path} is not a directory (a link or a file is never trusted)"
    uid = _uid()
    if uid is not None:
        if st.st_uid != uid:
            return f"{path} belongs to user {st.st_uid}, not to this user ({uid})"
        if st.st_mode & 0o077:
            return f"{path} has mode {stat.S_IMODE(st.st_mode):04o}; only its owner may enter it (0700)"
    return ""


def _base_dir() -> tuple[str, str]:
    """(parent directory, name prefix) of the private directory."""
    xdg = os.environ.get("XDG_RUNTIME_DIR", "")
    if xdg and os.path.isabs(xdg) and not _private_problem(xdg):
        return xdg, "reaper-assist-"
    uid = _uid()
    return tempfile.gettempdir(), f"reaper-assist-{uid if uid is not None else 'user'}-"


def runtime_dir(resource_path: str, *, create: bool = False) -> str:
    """The private directory for ``resource_path``; ``create`` makes it (mode 0700) if missing.

    Raises
    ------
    EndpointMissing
        It is missing (and not ``create``): nothing has listened for this resource folder yet.
    EndpointError
        It exists but is not a private directory of this user.
    """
    real = os.path.realpath(os.path.abspath(str(resource_path)))
    key = hashlib.sha256(real.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    parent, prefix = _base_dir()
    path = os.path.join(parent, prefix + key)
    if create:
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass
        except OSError as exc:
            raise EndpointError(f"cannot create the private directory {path}: {exc.strerror or exc}") from None
    if not os.path.lexists(path):
        raise EndpointMissing(f"{path} does not exist (nothing listens for {real})")
    problem = _private_problem(path)
    if problem:
        raise EndpointError(f"refusing the reaper-assist directory: {problem}")
    return path


def _sock_path(directory: str, name: str) -> str:
    path = os.path.join(directory, name + ".sock")
    if len(path.encode("utf-8", "surrogateescape")) > UNIX_PATH_MAX:
        raise EndpointError(f"the socket path {path} is longer than AF_UNIX allows ({UNIX_PATH_MAX} bytes)")
    return path


def _port_path(directory: str, name: str) -> str:
    return os.path.join(directory, name + ".port")


def listen(directory: str, name: str, *, backlog: int = socket.SOMAXCONN) -> socket.socket:
    """A listening, non-blocking socket for service ``name`` in the private ``directory``.

    Raises EndpointError (``errno.EADDRINUSE``) when the service already answers there."""
    problem = _private_problem(directory)
    if problem:
        raise EndpointError(f"refusing the reaper-assist directory: {problem}")
    if use_unix():
        path = _sock_path(directory, name)
        if os.path.lexists(path):
            probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            probe.settimeout(0.5)
            try:
                probe.connect(path)
            except OSError:
                os.unlink(path)  # a stale socket of a process that died
            else:
                raise EndpointError(errno.EADDRINUSE, f"{name} is already running ({path} answers)")
            finally:
                probe.close()
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.bind(path)
            os.chmod(path, 0o600)
            s.listen(backlog)
        except OSError:
            s.close()
            raise
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            if hasattr(socket, "SO_EXCLUSIVEADDRUSE"):  # Windows: nobody else may bind the same port
                s.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
            s.bind(("127.0.0.1", 0))
            s.listen(backlog)
            _publish_port(directory, name, s.getsockname()[1])
        except OSError:
            s.close()
            raise
    s.setblocking(False)
    return s


def _publish_port(directory: str, name: str, port: int) -> None:
    final = _port_path(directory, name)
    tmp = f"{final}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, str(int(port)).encode("ascii"))
    finally:
        os.close(fd)
    os.replace(tmp, final)


def unpublish(directory: str, name: str, sock: socket.socket | None = None) -> None:
    """Remove the endpoint files of service ``name`` (when it stops)."""
    for path in (os.path.join(directory, name + ".sock"), _port_path(directory, name)):
        try:
            if path.endswith(".port") and sock is not None and sock.family == socket.AF_INET:
                with open(path, encoding="ascii") as f:
                    if f.read().strip() != str(sock.getsockname()[1]):
                        continue  # another instance's
            os.unlink(path)
        except (OSError, ValueError):
            pass


def connect(directory: str, name: str, *, timeout_s: float) -> socket.socket:
    """A connected, blocking socket to service ``name``: its Unix socket if there is one, else the
    loopback port its port file names (OSError when nothing answers)."""
    problem = _private_problem(directory)
    if problem:
        raise EndpointError(f"refusing the reaper-assist directory: {problem}")
    sock_path = _sock_path(directory, name)
    if hasattr(socket, "AF_UNIX") and os.path.lexists(sock_path):
        deadline = time.monotonic() + timeout_s
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(timeout_s)
            try:
                s.connect(sock_path)
                return s
            except BlockingIOError:  # the backlog is full (a flood): AF_UNIX does not wait by itself
                s.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.005)
            except OSError:
                s.close()
                raise
    path = _port_path(directory, name)
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or (_uid() is not None and st.st_uid != _uid()):
            raise EndpointError(f"{path} is not a file of this user")
        with open(path, encoding="ascii") as f:
            port = int(f.read().strip())
    except FileNotFoundError:
        raise ConnectionRefusedError(errno.ECONNREFUSED, f"{name} is not running ({path} is missing)") from None
    except ValueError:
        raise EndpointError(f"{path} does not hold a port number") from None
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout_s)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def binding(sock: socket.socket, *, server: bool) -> str:
    """What both ends of one connection agree it is, for the handshake's proofs: the socket path
    (AF_UNIX) or both TCP addresses. A relay in between sees different values on each side."""
    if sock.family == getattr(socket, "AF_UNIX", None):
        return "unix:" + str(sock.getsockname() if server else sock.getpeername())
    local, peer = sock.getsockname()[:2], sock.getpeername()[:2]
    client, srv = (peer, local) if server else (local, peer)
    return f"tcp:{client[0]}:{client[1]}->{srv[0]}:{srv[1]}"
