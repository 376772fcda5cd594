"""``reaper-assist install`` / ``uninstall``: what is written where, all or nothing, exactly undone.

Install plans every file change in memory first, checks that every target can be written, then
writes; if a write fails, what was written is put back, so nothing is left half-installed. Every
file it edits gets a backup ``<file>.reaper-assist.bak`` (made once); what it changed is recorded in
``reaper_assist.json`` (the manifest), so ``uninstall`` can restore the exact bytes: a file still as
install left it is restored from its backup (or removed, if install created it); a file changed
since (REAPER rewrites reaper-kb.ini and reaper.ini on exit) has only our lines taken out.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reaper_assist.app import registry
from reaper_assist.companion.config import (
    CONFIG_NAME,
    DEFAULT_IDLE_MINUTES,
    DEFAULT_WEB_PORT,
    LOG_NAME,
    InstallConfig,
)
from reaper_assist.errors import ReaperAssistError
from reaper_assist import reaper_paths as paths
from reaper_assist.install import edits, embedded, startup

BACKUP_SUFFIX = ".reaper-assist.bak"
SCRIPTS_SUBDIR = "reaper-assist"  # <resource>/Scripts/reaper-assist/
LAUNCHER = "reaper_assist_launcher.py"
ACTION_TEMPLATE = "reaper_assist_action.py"  # actions/: the one template every action's script is written from
TITLE_PREFIX = "reaper-assist: "


class InstallError(ReaperAssistError):
    """Install or uninstall could not be done; nothing was changed."""


# ------------------------------------------------------------------------------------------------
# where the action scripts come from
# ------------------------------------------------------------------------------------------------
def action_script_name(action: str) -> str:
    return "reaper_assist_" + action.replace("-", "_") + ".py"


def action_script(src: Path, info: registry.ActionInfo) -> bytes:
    """The action script of ``info``: the template with the action's name and title filled in."""
    try:
        template = (src / ACTION_TEMPLATE).read_text(encoding="utf-8")
    except OSError as exc:
        raise InstallError(f"cannot read the action template {src / ACTION_TEMPLATE} ({exc.strerror or exc}); "
                           "reinstall the reaper-assist package") from None
    if "__ACTION__" not in template or "__TITLE__" not in template:
        raise InstallError(f"{src / ACTION_TEMPLATE} is not reaper-assist's action template; "
                           "reinstall the reaper-assist package")
    return _bytes(template.replace("__ACTION__", info.name).replace("__TITLE__", info.title))


def actions_source_dir() -> Path:
    """``actions/`` of a source checkout, else the wheel's data files (share/reaper-assist/actions)."""
    import site
    import sysconfig

    here = Path(__file__).resolve().parents[2] / "actions"
    candidates = [here, Path(sysconfig.get_path("data")) / "share" / "reaper-assist" / "actions",
                  Path(sys.prefix) / "share" / "reaper-assist" / "actions"]
    user_base = getattr(site, "USER_BASE", None)
    if user_base:
        candidates.append(Path(user_base) / "share" / "reaper-assist" / "actions")
    for c in candidates:
        if (c / LAUNCHER).is_file():
            return c
    raise InstallError("cannot find the action scripts (looked in "
                       + ", ".join(str(c) for c in candidates) + "); reinstall the reaper-assist package")


# ------------------------------------------------------------------------------------------------
# the plan
# ------------------------------------------------------------------------------------------------
@dataclass
class Change:
    path: Path
    old: bytes | None  # None: the file does not exist
    new: bytes | None  # None: delete it
    mode: int | None = None  # permissions for a new file

    @property
    def noop(self) -> bool:
        return self.old == self.new


@dataclass
class Plan:
    resource: Path
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    created_dirs: list[str] = field(default_factory=list)  # uninstall: folders install created

    def read(self, path: Path) -> bytes | None:
        for c in reversed(self.changes):
            if c.path == path:
                return c.new
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    def put(self, path: Path, new: bytes | None, mode: int | None = None) -> None:
        old = self.read(path)
        if old != new:
            self.changes.append(Change(path, old, new, mode))


def _sha(data: bytes | None) -> str | None:
    return hashlib.sha256(data).hexdigest() if data is not None else None


def _text(data: bytes | None) -> str:
    return data.decode("utf-8", errors="surrogateescape") if data is not None else ""


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", errors="surrogateescape")


def _load_existing(resource: Path) -> InstallConfig | None:
    from reaper_assist.companion.config import ConfigError, load_config

    if not (resource / CONFIG_NAME).exists():
        return None
    try:
        return load_config(resource)
    except ConfigError as exc:
        raise InstallError(f"{exc}; move it away and install again") from exc


def resolve_resource(resource_path: str | os.PathLike | None) -> Path:
    if resource_path is None:
        found = paths.detect_resource_path()
        if found is None:
            raise InstallError("cannot find REAPER's resource folder (no running portable REAPER, no reaper.ini in "
                               + ", ".join(str(d) for d in paths.default_resource_dirs())
                               + "); pass --resource-path DIR (REAPER: Options > Show REAPER resource path)")
        return found.resolve()
    p = Path(resource_path).expanduser()
    if not p.is_dir():
        raise InstallError(f"{p} is not a folder; pass REAPER's resource folder (Options > Show REAPER resource path)")
    return p.resolve()


# ------------------------------------------------------------------------------------------------
# install
# ------------------------------------------------------------------------------------------------
def plan_install(resource: Path, *, python: str | None = None,
                 web_port: int | None = None) -> tuple[Plan, InstallConfig]:
    old = _load_existing(resource)
    manifest: dict[str, Any] = dict(old.installed) if old else {}
    files: dict[str, dict[str, Any]] = {k: dict(v) for k, v in manifest.get("files", {}).items()}
    cfg = InstallConfig(
        resource_path=str(resource),
        python=str(Path(python or sys.executable).absolute()),
        web_port=int(web_port or (old.web_port if old else DEFAULT_WEB_PORT)),
        token=(old.token if old and old.token else secrets.token_hex(16)),
        idle_minutes=old.idle_minutes if old else DEFAULT_IDLE_MINUTES,
        bridge=dict(old.bridge) if old else {},
        preanalysis=dict(old.preanalysis) if old else {},
    )
    plan = Plan(resource)
    # 0. the Python REAPER will load: its shared library exists and it imports the bridge (embedded.py)
    try:
        emb = embedded.check(cfg.python)
    except embedded.PythonCheckError as exc:
        raise InstallError(str(exc)) from exc
    cfg.site_paths = list(emb.site_paths)
    plan.notes.append(f"REAPER's Python: {emb.libpython}; checked that it imports reaper_assist ({emb.reaper_assist}) "
                      f"and reapy ({emb.reapy}) with {len(emb.site_paths)} recorded site folder(s)")
    made = list(manifest.get("created_dirs", []))
    for d in (resource / "Scripts", resource / "Scripts" / SCRIPTS_SUBDIR):
        if not d.exists() and d.relative_to(resource).as_posix() not in made:
            made.append(d.relative_to(resource).as_posix())

    def note_file(path: Path, **facts: Any) -> dict[str, Any]:
        rel = path.relative_to(resource).as_posix()
        if rel not in files:
            existed = plan.read(path) is not None
            files[rel] = {"created": not existed}
            if existed:
                backup = path.with_name(path.name + BACKUP_SUFFIX)
                files[rel]["backup"] = backup.relative_to(resource).as_posix()
                if plan.read(backup) is None:
                    plan.put(backup, plan.read(path))
        files[rel].update({k: v for k, v in facts.items() if v is not None})
        return files[rel]

    # 1. the action scripts into <resource>/Scripts/reaper-assist/: the launcher and the bridge's copied,
    #    every action's written from the one template
    src = actions_source_dir()
    scripts_dir = resource / "Scripts" / SCRIPTS_SUBDIR
    entries: list[tuple[str, bytes | None, str | None, str | None, int]] = [(LAUNCHER, None, None, None, 0)]
    entries.append((startup.BRIDGE_SCRIPT, None, startup.BRIDGE_COMMAND_ID, startup.BRIDGE_TITLE,
                    startup.BRIDGE_SCR_FLAGS))
    for info in registry.ACTIONS.values():
        entries.append((action_script_name(info.name), action_script(src, info), info.command_id, info.title, 4))
    kb_lines: list[str] = []
    ids: set[str] = set()
    for name, script, command_id, title, flags in entries:
        if script is None:
            f = src / name
            if not f.is_file():
                raise InstallError(f"no action script {f} for {title or name}; reinstall the reaper-assist package")
            script = f.read_bytes()
        dst = scripts_dir / name
        note_file(dst)
        plan.put(dst, script)
        if command_id and title:
            kb_lines.append(edits.scr_line(command_id, TITLE_PREFIX + title, str(dst), flags=flags))
            ids.add(command_id)

    # 2. reaper-kb.ini: the actions
    kb = resource / "reaper-kb.ini"
    entry = note_file(kb)
    new_kb, added_nl = edits.add_lines(_text(plan.read(kb)), kb_lines, ids)
    entry["command_ids"] = sorted(ids)
    entry["added_newline"] = bool(entry.get("added_newline")) or added_nl
    plan.put(kb, _bytes(new_kb))

    # 3. the bridge start-up (see install/startup.py for what is uncertain)
    for hook in startup.HOOKS:
        path = resource / "Scripts" / hook.file_name
        entry = note_file(path, comment=hook.comment)
        new, added_nl = edits.add_block(_text(plan.read(path)), hook.body(str(scripts_dir / startup.BRIDGE_SCRIPT)),
                                        hook.comment)
        entry["added_newline"] = bool(entry.get("added_newline")) or added_nl
        plan.put(path, _bytes(new))

    # 4. reaper.ini: Python ReaScript and the web interface, like reapy's configure_reaper (facts 3.2)
    ini = resource / "reaper.ini"
    if plan.read(ini) is not None:
        entry = note_file(ini)
        keys: dict[str, Any] = entry.setdefault("keys", {})
        text = _text(plan.read(ini))
        wanted: dict[str, str] = {"reascript": "1"}
        wanted["pythonlibpath64"] = str(Path(emb.libpython).parent)
        wanted["pythonlibdll64"] = Path(emb.libpython).name
        if edits.find_web_interface(text, cfg.web_port) is None:
            n = edits.surface_count(text)
            wanted["csurf_cnt"] = str(n + 1)
            wanted[f"csurf_{n}"] = edits.web_interface_line(cfg.web_port)
        for key, value in wanted.items():
            current = edits.get_key(text, key)
            if current != value:
                if key not in keys:
                    keys[key] = {"old": current}
                if key.startswith("pythonlib") and current:
                    plan.notes.append(f"reaper.ini: {key} was {current!r}, now {value!r}")
                text = edits.set_key(text, key, value)
            if key in keys:
                keys[key]["new"] = value
        plan.put(ini, _bytes(text))

    # the manifest: what each file looks like as installed (uninstall restores exactly when unchanged)
    for rel, entry in files.items():
        entry["installed_sha256"] = _sha(plan.read(resource / rel))
    cfg.installed = {"files": files, "created_dirs": made}
    plan.put(resource / CONFIG_NAME, _bytes(cfg.to_json()), mode=0o600)
    return plan, cfg


def install(resource_path: str | os.PathLike | None = None, *, python: str | None = None,
            web_port: int | None = None) -> tuple[Plan, InstallConfig]:
    resource = resolve_resource(resource_path)
    plan, cfg = plan_install(resource, python=python, web_port=web_port)
    commit(plan)
    cfg_path = resource / CONFIG_NAME
    if os.name != "nt" and stat.S_IMODE(cfg_path.stat().st_mode) != 0o600:
        os.chmod(cfg_path, 0o600)  # the token: readable by the user only
    return plan, cfg


# ------------------------------------------------------------------------------------------------
# uninstall
# ------------------------------------------------------------------------------------------------
def plan_uninstall(resource: Path) -> Plan:
    cfg = _load_existing(resource)
    if cfg is None:
        raise InstallError(f"reaper-assist is not installed in {resource} ({resource / CONFIG_NAME} is missing)")
    plan = Plan(resource)
    files = cfg.installed.get("files", {})
    for rel, entry in files.items():
        path = resource / rel
        current = plan.read(path)
        backup = resource / entry["backup"] if entry.get("backup") else None
        unchanged = _sha(current) == entry.get("installed_sha256")
        if unchanged:
            if entry.get("created"):
                plan.put(path, None)
            elif backup is not None and plan.read(backup) is not None:
                plan.put(path, plan.read(backup))
                plan.put(backup, None)
            continue
        if current is None:
            continue
        # changed since install: take out only what is ours
        text = _text(current)
        if path.name == "reaper-kb.ini":
            text = edits.remove_lines(text, set(entry.get("command_ids", [])),
                                      strip_added_newline=entry.get("added_newline", False))
        elif "comment" in entry:
            text = edits.remove_block(text, entry["comment"], strip_added_newline=entry.get("added_newline", False))
        elif path.name == "reaper.ini":
            for key, kv in entry.get("keys", {}).items():
                if edits.get_key(text, key) == kv.get("new"):
                    text = edits.set_key(text, key, kv.get("old"))
        elif entry.get("created"):
            plan.notes.append(f"{path} was changed since install; removed anyway (it is reaper-assist's)")
            plan.put(path, None)
            continue
        if entry.get("created") and not text.strip():
            plan.put(path, None)
        else:
            plan.put(path, _bytes(text))
            if backup is not None:
                plan.notes.append(f"{path} changed since install: removed reaper-assist's lines only; the "
                                  f"original is kept in {backup}")
    plan.created_dirs = list(cfg.installed.get("created_dirs", []))
    plan.put(resource / CONFIG_NAME, None)
    if (resource / LOG_NAME).exists():
        plan.put(resource / LOG_NAME, None)
    return plan


def uninstall(resource_path: str | os.PathLike | None = None) -> Plan:
    resource = resolve_resource(resource_path)
    plan = plan_uninstall(resource)
    commit(plan)
    for rel in sorted(set(plan.created_dirs) | {f"Scripts/{SCRIPTS_SUBDIR}"}, key=len, reverse=True):
        try:
            (resource / rel).rmdir()  # only if empty: files the user put there stay
        except OSError:
            pass
    return plan



# ------------------------------------------------------------------------------------------------
# all or nothing
# ------------------------------------------------------------------------------------------------
def _writable_dir(d: Path) -> Path | None:
    """The first folder on the way to ``d`` that exists and cannot be written, if any."""
    p = d
    while not p.exists():
        p = p.parent
    if not p.is_dir() or not os.access(p, os.W_OK | os.X_OK):
        return p
    return None


def _write(path: Path, data: bytes, mode: int | None) -> None:
    tmp = path.with_name(f".{path.name}.reaper-assist-tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode if mode is not None else 0o666)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    if path.exists():
        shutil.copymode(path, tmp)
        if mode is not None:
            os.chmod(tmp, mode)
    os.replace(tmp, path)


def commit(plan: Plan) -> None:
    changes = [c for c in plan.changes if not c.noop]
    # collapse several changes of one path into one (first old, last new)
    merged: dict[Path, Change] = {}
    for c in changes:
        if c.path in merged:
            merged[c.path].new, merged[c.path].mode = c.new, c.mode
        else:
            merged[c.path] = Change(c.path, c.old, c.new, c.mode)
    changes = [c for c in merged.values() if not c.noop]
    for c in changes:
        bad = _writable_dir(c.path.parent)
        if bad is not None or (c.path.exists() and not os.access(c.path, os.W_OK)):
            where = bad if bad is not None else c.path
            raise InstallError(f"cannot write to {where}: permission denied; nothing was changed")
    made_dirs: list[Path] = []
    done: list[Change] = []
    try:
        for c in changes:
            if c.new is None:
                c.path.unlink(missing_ok=True)
            else:
                missing = [p for p in [c.path.parent, *c.path.parent.parents] if not p.exists()]
                for d in reversed(missing):
                    d.mkdir()
                    made_dirs.append(d)
                _write(c.path, c.new, c.mode)
            done.append(c)
    except OSError as exc:
        for c in reversed(done):
            try:
                if c.old is None:
                    c.path.unlink(missing_ok=True)
                else:
                    _write(c.path, c.old, None)
            except OSError:
                pass
        for d in reversed(made_dirs):
            try:
                d.rmdir()
            except OSError:
                pass
        raise InstallError(f"cannot write {exc.filename or c.path}: {exc.strerror or exc}; "
                           "nothing was changed") from exc
