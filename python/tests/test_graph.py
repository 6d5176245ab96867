# SPDX-License-Identifier: MIT
"""A graph of jobs with dependencies and priorities."""
import numpy as np

import quasar


def test_graph_runs_a_node_after_its_dependency(dev):
    a = np.arange(32, dtype=np.float32).reshape(2, 16) / 4
    b = np.full((2, 16), 0.5, np.float32)
    ta, tb = dev.tensor_from(a), dev.tensor_from(b)
    s, p, soft, y = (dev.tensor((2, 16)) for _ in range(4))
    g = dev.graph()
    first = g.add(dev.cmdbuf().add(s, ta, tb), priority="normal")
    second = g.add(dev.cmdbuf().mul(p, s, s), deps=[first], priority="NORMAL")
    third = g.add(dev.cmdbuf().softmax(soft, s), deps=[first], priority=quasar.Priority.LOW)
    last = g.add(dev.cmdbuf().add(y, p, soft), deps=[second, third])
    assert (first, second, third, last) == (0, 1, 2, 3) and len(g) == 4
    nodes = g.run(timeout=120)
    assert all(n.ok and not n.dep_failed for n in nodes)
    # Each node reads what its dependencies wrote: the values say the order held.
    e = np.exp((a + b) - (a + b).max(axis=1, keepdims=True))
    ref = (a + b) * (a + b) + e / e.sum(axis=1, keepdims=True)
    assert np.allclose(y.read(), ref, rtol=1e-6)
    assert nodes[second].point > nodes[first].point and nodes[last].point > nodes[third].point
    assert nodes[third].priority == quasar.Priority.LOW
    assert nodes[first].priority == quasar.Priority.NORMAL and nodes[last].priority is None
    assert all(n.stats is not None and n.stats.vec_elems > 0 for n in nodes)
