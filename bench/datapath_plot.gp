# SPDX-License-Identifier: MIT
# build/bench/datapath.png from dp_bench's CSV: the datapath's kernels
# against OpenBLAS FP32 in the same run, GEMV (decode, M = 1) as speedup
# over SGEMV, GEMM as GOPS per format and M.
# Usage: gnuplot -e "csv='datapath.csv'; out='datapath.png'" datapath_plot.gp
# columns: 1 op, 2 format, 3 M, 4 K, 5 N, 6 seconds, 7 gops, 8 weight_gbps,
#          9 baseline_seconds, 10 speedup
set datafile separator ','
set terminal pngcairo size 1400,1000 font ',10' noenhanced
set output out
set key off
set grid ytics
set style fill solid 0.6 border -1
set boxwidth 0.7
set xtics rotate by -45 left font ',9'
set multiplot layout 2,1 title 'Quasar datapath against OpenBLAS FP32 (same run, same machine)'
set title 'GEMV (M = 1, decode): speedup over OpenBLAS SGEMV (1 = as fast)'
set ylabel 'speedup (x)'
set yrange [0:*]
plot '< grep "^gemv," '.csv using 0:10:xtic(2) with boxes lc rgb 0x1b9e77, \
     1 with lines lc rgb 'black' dt 2
set title 'GEMM: throughput by format and M'
set ylabel 'GOPS'
plot '< grep "^gemm," '.csv using 0:7:xtic(sprintf('%s M=%d', strcol(2), $3)) \
     with boxes lc rgb 0xd95f02
unset multiplot
