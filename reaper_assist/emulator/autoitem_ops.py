"""Automation items through REAPER's calls (reascript_api.tsv; semantics from ReaTeam/Doc
reascripthelp.html, docs/emulator.md "Automation items"): ``CountAutomationItems``,
``InsertAutomationItem``, ``GetSetAutomationItemInfo(_String)`` and the ``*Ex`` point functions with
``autoitem_idx`` (-1 = the lane's own points, 0.. = an automation item's pooled points; with
``| 0x10000000`` the points of one full loop iteration).

A NULL or stale envelope, an ``autoitem_idx`` that names no item, a point index out of range or a
non-finite number fail the way the API reports failure (0, -1, false, 0.0) and change nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from reaper_assist.emulator import uncertain as EU
from reaper_assist.emulator.binding import Out
from reaper_assist.emulator.project import AutomationItem, Envelope, EnvPoint, PooledEnvelope
from reaper_assist.emulator.take_ops import chunk_ext, set_chunk_ext

_NUMBER_KEYS = ("D_POOL_ID", "D_POSITION", "D_LENGTH", "D_STARTOFFS", "D_PLAYRATE", "D_BASELINE",
                "D_AMPLITUDE", "D_LOOPSRC", "D_UISEL", "D_POOL_QNLEN")


def _finite(*values: float) -> bool:
    return all(isinstance(v, (int, float)) and math.isfinite(v) for v in values)


def _shifted(out: Out) -> Out:
    """A plain call's result as its ``*Ex`` form's: each out-parameter one argument later."""
    return Out(out.r, {k + 1: v for k, v in (out.outs or {}).items()})


def store_points(holder: Envelope | PooledEnvelope, points: list[EnvPoint], nosort) -> None:
    """``points`` as the lane's (or the pool's) points, sorted by time unless ``nosort``."""
    holder.set_points(points if nosort else sorted(points, key=lambda p: p.time))


class AutomationItemOps:
    """Mixed into :class:`reaper_assist.emulator.reascript.Reaper`."""

    # Reaper's own (reascript.py): fader scaling of API values and the lane's point calls
    project: Any
    _to_api: Callable[[Envelope, float], float]
    _from_api: Callable[[Envelope, float], float]
    CountEnvelopePoints: Callable[..., int]
    GetEnvelopePoint: Callable[..., Out]
    SetEnvelopePoint: Callable[..., Out]
    InsertEnvelopePoint: Callable[..., Out]
    DeleteEnvelopePointRange: Callable[[Envelope | None, float, float], bool]
    Envelope_SortPoints: Callable[[Envelope | None], bool]

    # -- lookup ----------------------------------------------------------------------------------
    @staticmethod
    def _ai(env: Envelope | None, idx: int) -> AutomationItem | None:
        if env is None:
            return None
        items = env.automation_items
        return items[idx] if 0 <= idx < len(items) else None

    @staticmethod
    def _qn_per_s(env: Envelope) -> float:
        return env.project.tempo / 60.0

    @staticmethod
    def _iterations(item: AutomationItem, length: float) -> range:
        if not item.loop or length <= 0:
            return range(0, 1)
        q0 = item.pool_qn(item.position)
        q1 = item.pool_qn(item.position + item.length)
        return range(math.floor(q0 / length), math.floor(q1 / length) + 1)

    def _visible(self, item: AutomationItem) -> list[tuple[float, int, int]]:
        """``(project time, pool point index, loop iteration)`` of every point the item shows,
        in time order (uncertain.AI_POINTS_RAW)."""
        pool = item.pool
        if pool is None:
            return []
        pts = pool.points
        length = pool.length_qn
        start, end = item.position, item.position + item.length
        out = []
        for k in self._iterations(item, length):
            for i, p in enumerate(pts):
                t = item.time_at(p.time, k, length)
                if start <= t < end:
                    out.append((t, i, k))
        out.sort()
        return out

    def _target(self, env: Envelope | None, autoitem_idx: int) -> tuple[AutomationItem | None, bool, bool]:
        """``(item, full_loop_indexing, ok)`` for an autoitem_idx >= 0."""
        full = bool(autoitem_idx & EU.AI_FULL_LOOP_FLAG) and autoitem_idx >= 0
        item = self._ai(env, autoitem_idx & ~EU.AI_FULL_LOOP_FLAG if full else autoitem_idx)
        return item, full, item is not None and item.pool is not None

    def _point_ref(self, env: Envelope | None, autoitem_idx: int, ptidx: int) -> tuple[AutomationItem, int, int, float] | None:
        """``(item, pool point index, iteration, project time)`` of point ``ptidx``."""
        item, full, ok = self._target(env, autoitem_idx)
        if not ok or item is None:
            return None
        if full:
            pts = item.pool.points if item.pool is not None else []
            if not 0 <= ptidx < len(pts):
                return None
            return item, ptidx, 0, item.time_at(pts[ptidx].time)
        vis = self._visible(item)
        if not 0 <= ptidx < len(vis):
            return None
        t, i, k = vis[ptidx]
        return item, i, k, t

    # -- items -----------------------------------------------------------------------------------
    def CountAutomationItems(self, env):
        return len(env.automation_items) if env is not None else 0

    def InsertAutomationItem(self, env, pool_id, position, length):
        if env is None or not _finite(position, length) or length <= 0 or position < 0:
            return -1
        proj = env.project
        qn = length * self._qn_per_s(env)
        if pool_id < 0:
            # "pool_id < 0 collects existing envelope points into the automation item": a new pool
            # takes the lane's points in [position, position + length), which leave the lane
            used = [p.id for p in proj.pooled_envelopes()] + [
                ai.pool_id for e in proj.iter_all_envelopes() for ai in e.automation_items]
            chunk_id = max(used, default=0) + 1
            pool = proj.pooled_envelope(chunk_id, create=True, length_qn=qn)
            inside = [p for p in env.points if position <= p.time < position + length]
            pool.set_points([EnvPoint((p.time - position) * self._qn_per_s(env), p.value, p.shape, p.tension,
                                      p.selected) for p in inside])
            if inside:
                env.set_points([p for p in env.points if not position <= p.time < position + length])
        else:
            chunk_id = int(pool_id) + EU.AI_POOL_ID_OFFSET
            proj.pooled_envelope(chunk_id, create=True, length_qn=qn)
        env.add_automation_item(chunk_id, position, length)
        return len(env.automation_items) - 1

    def GetSetAutomationItemInfo(self, env, autoitem_idx, desc, value, is_set):
        item = self._ai(env, autoitem_idx)
        if item is None or desc not in _NUMBER_KEYS:
            return 0.0
        if is_set and _finite(value):
            self._set_info(item, desc, float(value))
        return self._get_info(item, desc)

    @staticmethod
    def _get_info(item: AutomationItem, desc: str) -> float:
        if desc == "D_POOL_ID":
            return float(item.pool_id - EU.AI_POOL_ID_OFFSET)
        if desc == "D_POOL_QNLEN":
            pool = item.pool
            return pool.length_qn if pool is not None else 0.0
        field = {"D_POSITION": "position", "D_LENGTH": "length", "D_STARTOFFS": "start_offset",
                 "D_PLAYRATE": "playrate", "D_BASELINE": "baseline", "D_AMPLITUDE": "amplitude",
                 "D_LOOPSRC": "loop", "D_UISEL": "selected"}[desc]
        return item.get(field)

    def _set_info(self, item: AutomationItem, desc: str, v: float) -> None:
        if desc == "D_POOL_ID":
            # "edits are propagated to all other automation items that share a pool ID": the
            # item now plays that pool (an empty one is made if it does not exist, as Insert does)
            chunk_id = int(v) + EU.AI_POOL_ID_OFFSET
            if int(v) >= 0:
                item.envelope.project.pooled_envelope(chunk_id, create=True,
                                                      length_qn=item.length * self._qn_per_s(item.envelope))
                item.set("pool", chunk_id)
        elif desc == "D_POOL_QNLEN":
            pool = item.pool
            if pool is not None and v > 0:
                pool.length_qn = v
        elif desc == "D_LENGTH":
            if v > 0:
                item.set("length", v)
        elif desc == "D_PLAYRATE":
            item.set("playrate", max(v, EU.AI_MIN_PLAYRATE))
        elif desc == "D_BASELINE":
            item.set("baseline", min(max(v, 0.0), 1.0))
        elif desc == "D_AMPLITUDE":
            lo, hi = EU.AI_AMPLITUDE_API_RANGE
            item.set("amplitude", min(max(v, lo), hi))
        elif desc in ("D_LOOPSRC", "D_UISEL"):
            item.set("loop" if desc == "D_LOOPSRC" else "selected", 1 if v != 0 else 0)
        else:
            item.set({"D_POSITION": "position", "D_STARTOFFS": "start_offset"}[desc], v)

    def GetSetAutomationItemInfo_String(self, env, autoitem_idx, desc, value, is_set):
        item = self._ai(env, autoitem_idx)
        pool: PooledEnvelope | None = item.pool if item is not None else None
        if pool is None:
            return Out(False, {3: ""})
        if desc == "P_POOL_NAME":
            if is_set:
                pool.name = value
            return Out(True, {3: pool.name})
        if desc.startswith("P_POOL_EXT:") and len(desc) > len("P_POOL_EXT:"):
            key = desc[len("P_POOL_EXT:"):]
            if is_set:
                set_chunk_ext(pool.chunk, key, value)
            got = chunk_ext(pool.chunk, key)
            return Out(got is not None, {3: got or ""})
        return Out(False, {3: ""})

    # -- points with autoitem_idx ------------------------------------------------------------------
    # autoitem_idx -1 is the lane's own points: the plain call (reascript.py), whose out-parameters
    # stand one place earlier (no autoitem_idx argument)
    def CountEnvelopePointsEx(self, env, autoitem_idx):
        if autoitem_idx == -1:
            return self.CountEnvelopePoints(env)
        item, full, ok = self._target(env, autoitem_idx)
        if not ok or item is None or item.pool is None:
            return 0
        return len(item.pool.points) if full else len(self._visible(item))

    def GetEnvelopePointEx(self, env, autoitem_idx, ptidx, t, v, shape, tension, sel):
        if autoitem_idx == -1:
            return _shifted(self.GetEnvelopePoint(env, ptidx, t, v, shape, tension, sel))
        fail = Out(False, {3: 0.0, 4: 0.0, 5: 0, 6: 0.0, 7: 0})
        ref = self._point_ref(env, autoitem_idx, ptidx)
        if ref is None or env is None:
            return fail
        item, i, _k, when = ref
        p = item.pool.points[i] if item.pool is not None else None
        if p is None:
            return fail
        return Out(True, {3: when, 4: self._to_api(env, p.value), 5: p.shape, 6: p.tension, 7: int(p.selected)})

    def SetEnvelopePointEx(self, env, autoitem_idx, ptidx, t, v, shape, tension, sel, nosort):
        if autoitem_idx == -1:
            return _shifted(self.SetEnvelopePoint(env, ptidx, t, v, shape, tension, sel, nosort))
        fail = Out(False, {8: nosort})
        if not _finite(t, v, tension):
            return fail
        ref = self._point_ref(env, autoitem_idx, ptidx)
        if ref is None or env is None:
            return fail
        item, i, k, _when = ref
        pool = item.pool
        assert pool is not None
        pts = pool.points
        pts[i] = EnvPoint(item.pool_qn(t) - k * pool.length_qn, self._from_api(env, v), int(shape), tension,
                          bool(sel))
        store_points(pool, pts, nosort)
        return Out(True, {8: nosort})

    def InsertEnvelopePointEx(self, env, autoitem_idx, t, v, shape, tension, sel, nosort):
        if autoitem_idx == -1:
            return _shifted(self.InsertEnvelopePoint(env, t, v, shape, tension, sel, nosort))
        fail = Out(False, {7: nosort})
        if env is None or not _finite(t, v, tension):
            return fail
        item, _full, ok = self._target(env, autoitem_idx)
        if not ok or item is None or item.pool is None:
            return fail
        pool = item.pool
        q = item.pool_qn(t)
        if item.loop and pool.length_qn > 0:
            q = q % pool.length_qn  # in [0, length) for negative q too
        store_points(pool, [*pool.points, EnvPoint(q, self._from_api(env, v), int(shape), tension, bool(sel))],
                     nosort)
        return Out(True, {7: nosort})

    def DeleteEnvelopePointEx(self, env, autoitem_idx, ptidx):
        if autoitem_idx == -1:
            if env is None or not 0 <= ptidx < len(env.points):
                return False
            pts = env.points
            del pts[ptidx]
            env.set_points(pts)
            return True
        ref = self._point_ref(env, autoitem_idx, ptidx)
        if ref is None:
            return False
        item, i, _k, _when = ref
        pool = item.pool
        assert pool is not None
        pts = pool.points
        del pts[i]
        pool.set_points(pts)
        return True

    def DeleteEnvelopePointRangeEx(self, env, autoitem_idx, t0, t1):
        if autoitem_idx == -1:
            return self.DeleteEnvelopePointRange(env, t0, t1)
        item, _full, ok = self._target(env, autoitem_idx)
        if not ok or item is None or item.pool is None or not _finite(t0, t1):
            return False
        # ends: start inclusive, end exclusive, as the lane's DeleteEnvelopePointRange [UNCERTAIN]
        gone = {i for (when, i, _k) in self._visible(item) if t0 <= when < t1}
        item.pool.set_points([p for i, p in enumerate(item.pool.points) if i not in gone])
        return True

    def Envelope_SortPointsEx(self, env, autoitem_idx):
        if autoitem_idx == -1:
            return self.Envelope_SortPoints(env)
        item, _full, ok = self._target(env, autoitem_idx)
        if env is None or not ok or item is None or item.pool is None:
            return False
        store_points(item.pool, item.pool.points, False)
        return True

    def GetEnvelopePointByTime(self, env, time):
        return self.GetEnvelopePointByTimeEx(env, -1, time)

    def GetEnvelopePointByTimeEx(self, env, autoitem_idx, time):
        """The index of the point at or immediately before ``time`` (-1 if none)."""
        if env is None or not _finite(time):
            return -1
        if autoitem_idx == -1:
            times = [p.time for p in env.points]
        else:
            item, full, ok = self._target(env, autoitem_idx)
            if not ok or item is None or item.pool is None:
                return -1
            times = ([item.time_at(p.time) for p in item.pool.points] if full
                     else [w for (w, _i, _k) in self._visible(item)])
        best = -1
        for i, w in enumerate(times):
            if w <= time and (best < 0 or w >= times[best]):
                best = i
        return best
