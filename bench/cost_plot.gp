# SPDX-License-Identifier: MIT
# build/bench/cost.png from cost-sweep's CSV: modeled time and energy of one
# 1024 x 1024 linear layer against bits per weight, decode and prefill.
# Usage: gnuplot -e "csv='cost.csv'; out='cost.png'" cost_plot.gp
set datafile separator ','
set terminal pngcairo size 1400,1000 font ',10'
set output out
set key off
set grid
set xrange [2:18.5]
set multiplot layout 2,2 title 'Quasar cost model: one 1024x1024 linear layer (edge-NPU defaults, 4 MiB SRAM); squares BF16 activations, circles int8'
# columns: 1 format, 2 act, 3 m, 6 bits/weight, 15 cycles, 16 bound, 17 time_us, 18 energy_uj
lbl(f, a) = sprintf('%s/%s', f, a)
pt(a) = (a eq 'a8') ? 7 : 5
lc(a) = (a eq 'a8') ? 0x1b9e77 : 0xd95f02
do for [M in '1 64'] {
	set title sprintf('M = %s: modeled time', M)
	set xlabel 'bits per weight (incl. scales, zero points, 2:4 metadata)'
	set ylabel 'time at 1 GHz (us)'
	plot csv every ::1 using ($3 == M+0 ? $6 : 1/0):17:(pt(strcol(2))):(lc(strcol(2))) with points pt variable lc rgb variable ps 1.5, \
	     csv every ::1 using ($3 == M+0 ? $6 : 1/0):17:(lbl(strcol(1), strcol(2))) with labels offset 0.8,0.6 left font ',8'
	set title sprintf('M = %s: modeled energy', M)
	set ylabel 'energy (uJ)'
	plot csv every ::1 using ($3 == M+0 ? $6 : 1/0):18:(pt(strcol(2))):(lc(strcol(2))) with points pt variable lc rgb variable ps 1.5, \
	     csv every ::1 using ($3 == M+0 ? $6 : 1/0):18:(lbl(strcol(1), strcol(2))) with labels offset 0.8,0.6 left font ',8'
}
unset multiplot
