# SPDX-License-Identifier: MIT
# build/bench/stack.png from stack_bench.sh's CSV: NOP jobs per second
# against queue depth for each priority; where a NOP job's round trip goes
# (the driver's and the device's split, p50 or mean, us); the 4096 x 4096
# W4 GEMV: the kernel alone on the host, the job's device time and the
# caller's submit to completion.
# Usage: gnuplot -e "csv='stack.csv'; out='stack.png'" stack_plot.gp
set datafile separator ','
set datafile missing ''
set terminal pngcairo size 1500,550 font ',10'
set output out
set multiplot layout 1,3 title 'Quasar: what the stack itself costs (accel-bench in the TCG guest)'
# columns: 1 figure, 2 priority, 3 depth, 4 bytes, 5 value, 6 unit, 7 p50, 8 p99
is(f) = strcol(1) eq f

set title 'NOP jobs per second'
set xlabel 'jobs in flight (queue depth)'
set ylabel 'jobs/s'
set logscale x 2
set xtics (1, 8, 64)
set xrange [0.8:80]
set grid
set key top left
plot for [p in 'LOW NORMAL HIGH'] csv every ::1 \
	using (is('nop_jobs_per_s') && strcol(2) eq p ? $3 : NaN):5 with linespoints title p
unset logscale x
set xtics auto

set title 'One NOP job, depth 1: p50 (us)'
set xlabel ''
set ylabel 'us'
set style fill solid 0.85 border -1
set boxwidth 0.7
set key off
set xrange [0.3:5.7]
set xtics rotate by -30 ('round trip' 1, 'SUBMIT->run\_job' 2, 'run\_job->done' 3, \
	'device wake-up' 4, 'device busy' 5)
parts = 'null_roundtrip null_submit_to_run_job null_run_job_to_complete null_device_wake null_device_busy'
plot for [i = 1:words(parts)] csv every ::1 \
	using (is(word(parts, i)) ? i : NaN):(strcol(7) ne '' ? $7 : $5) with boxes lc i

set title '4096 x 4096 W4 GEMV: p50 (us)'
set xrange [0.3:4.7]
set xtics rotate by -30 ('host kernel alone' 1, 'job on the device' 2, \
	'its kernels' 3, 'submit->done' 4)
parts = 'gemv_w4_host_kernel gemv_w4_device gemv_w4_device_kernel gemv_w4_submit_to_complete'
plot for [i = 1:words(parts)] csv every ::1 \
	using (is(word(parts, i)) ? i : NaN):5 with boxes lc i
unset multiplot
