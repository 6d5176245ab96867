# SPDX-License-Identifier: MIT
"""Graphs: jobs with dependencies, submitted at once and ordered by one
timeline syncobj (accel_ops.h, "graph runner")."""
import errno
from dataclasses import dataclass
from typing import Optional

from ._ffi import ffi, lib
from .device import timeout_ns
from .errors import QuasarError, invalid
from .handle import Handle
from .job import CommandBuffer, JobResult, JobStats, Priority


@dataclass(frozen=True)
class GraphNode:
    """How one node ended in the graph's last run."""
    id: int
    result: JobResult
    stats: Optional[JobStats]	# None when stats_err is set
    stats_err: int
    point: int			# the timeline point it signalled
    dep_failed: bool
    priority: Optional[Priority]	# None: it ran on a hardware queue number

    @property
    def ok(self):
        return self.result.ok


class Graph(Handle):
    """Nodes (command buffers) with dependencies on earlier nodes, each on a
    hardware queue or at a priority; run() submits them all and waits."""

    _gone = "the graph is destroyed"

    def __init__(self, dev):
        self.dev = dev
        out = ffi.new("struct accel_graph **")
        dev.check(lib.accel_graph_create(dev.ptr("accel_graph_create"), out),
                  "accel_graph_create")
        self._ptr = out[0]
        self._nodes = []	# the command buffers, alive as long as the graph
        dev.adopt(self)

    def release(self):
        if self._ptr is not None:
            lib.accel_graph_destroy(self._ptr)
            self._ptr = None

    destroy = release

    def __len__(self):
        return lib.accel_graph_count(self.ptr("accel_graph_count"))

    def add(self, cb, deps=(), priority=None, queue=0):
        """Adds a node running @cb after the nodes @deps (ids returned
        earlier); at @priority (the graph's queue of that priority) when
        given, else on hardware queue @queue. Returns the node's id."""
        call = "accel_graph_add_priority" if priority is not None else "accel_graph_add"
        if not isinstance(cb, CommandBuffer):
            raise invalid(call, f"{type(cb).__name__} where a quasar.CommandBuffer is expected")
        deps = [int(d) for d in deps]
        dp = ffi.new("uint32_t[]", deps or 1)
        out = ffi.new("uint32_t *")
        if priority is not None:
            rc = lib.accel_graph_add_priority(self.ptr(call), cb.ptr(call),
                                              Priority.parse(priority), dp, len(deps), out)
        else:
            rc = lib.accel_graph_add(self.ptr(call), cb.ptr(call), queue, dp, len(deps), out)
        self.dev.check(rc, call)
        self._nodes.append(cb)
        return out[0]

    def run(self, timeout=None):
        """Submits every node and waits; QuasarError (EIO) when a node
        failed, naming it and its status."""
        call = "accel_graph_run"
        rc = lib.accel_graph_run(self.ptr(call), timeout_ns(timeout))
        if rc == -errno.EIO:
            bad = next(n for n in self.nodes() if not n.ok)
            raise QuasarError(errno.EIO, call, f"node {bad.id}: {bad.result.describe()}",
                              bad.result)
        self.dev.check(rc, call)
        return self.nodes()

    def node(self, node_id):
        call = "accel_graph_node"
        n = ffi.new("struct accel_graph_node *")
        self.dev.check(lib.accel_graph_node(self.ptr(call), node_id, n), call)
        prio = Priority(lib.accel_queue_priority(n.queue)) if n.queue != ffi.NULL else None
        return GraphNode(id=node_id, result=JobResult.from_c(n.result),
                         stats=JobStats.from_c(n.stats) if not n.stats_err else None,
                         stats_err=-n.stats_err if n.stats_err < 0 else n.stats_err,
                         point=n.point, dep_failed=bool(n.dep_failed), priority=prio)

    def nodes(self):
        return [self.node(i) for i in range(len(self))]
