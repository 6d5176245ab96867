# SPDX-License-Identifier: MIT
"""Job statistics: the cost report of a GEMM job."""
import numpy as np

import quasar


def test_gemm_job_statistics(dev):
    m, k, n = 16, 128, 32
    tx = dev.tensor_from(np.ones((m, k), np.float32), "bf16")
    tw = dev.weights_int8(np.ones((n, k), np.float32))
    ty = dev.tensor((m, n))
    cb = dev.cmdbuf().gemm(ty, tx, tw)
    cb.run(timeout=120)
    s = cb.stats()
    assert isinstance(s, quasar.JobStats)
    assert s.status == 0 and s.cmd_index == len(cb)	# every command ran
    assert s.macs_dense == m * n * k and s.macs_exec == m * n * k
    assert s.rd_weight_bytes >= n * k			# int8 codes, each read at least once
    assert s.rd_meta_bytes >= n * 4			# an FP32 scale per channel
    assert s.rd_act_bytes >= m * k * 2 and s.wr_bytes >= m * n * 4
    assert s.tiles >= 1 and s.clock_mhz > 0 and s.energy_fj > 0
    assert max(s.cycles_compute, s.cycles_memory) <= s.cycles
    assert s.cycles <= s.cycles_compute + s.cycles_memory
    c = s.cost
    assert c.dram_bytes == s.rd_weight_bytes + s.rd_meta_bytes + s.rd_act_bytes + s.wr_bytes
    assert abs(c.time_us - s.cycles / s.clock_mhz) <= 1e-9 * c.time_us
    assert c.memory_bound == (s.cycles_memory >= s.cycles_compute)
    report = s.report("gemm 16x128x32 W8")
    assert report.startswith("gemm 16x128x32 W8") and str(s.macs_dense) in report.replace(",", "")
    assert np.all(ty.read() == k)
