# SPDX-License-Identifier: MIT
# build/bench/model.png from model_bench.sh's CSV: where a decode token's
# time goes, per path (ms per token, stacked by phase; the CPU rows whole).
# Usage: gnuplot -e "csv='model.csv'; out='model.png'" model_plot.gp
set datafile separator ','
set datafile missing ''
set terminal pngcairo size 1200,700 font ',10'
set output out
set title 'Quasar: the language model, one decode token (W4A8 on the device, FP32 on the CPU)'
set ylabel 'ms per token'
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border -1
set boxwidth 0.6
set key outside right top vertical
set grid ytics
# columns: 1 path, 5 ms_per_token, 7 mmu .. 14 guest (model_bench.sh)
names = 'page-walks DMA kernels firmware completion interrupt wake-up guest-side'
cpu(p) = strstrt(p, 'cpu') > 0
plot for [c = 7:14] csv every ::1 using (cpu(strcol(1)) ? 0 : column(c)):xtic(1) \
	title word(names, c - 6), \
     csv every ::1 using (cpu(strcol(1)) ? $5 : 0) title 'CPU, FP32' lc rgb '#777777'
