# SPDX-License-Identifier: MIT
# Mixed precision against the uniform formats (accel-mixprec's points.csv).
# Language model: bits/byte above FP32 on the report windows (log axis, so
# that the 8-bit formats near zero and the 4-bit ones stay apart) against
# the decode job's energy and cycles. Classifier (model='cls'): the test
# top-1 (linear axis; a few points of 10,000 images move it by 1e-4)
# against the energy and cycles per image. The Pareto front of all points
# drawn per panel.
# Columns: 1 kind, 2 name, 7 bits_per_byte or top1, 8 delta, 11 uj per
# token or image, 12 cycles per token or image, 14 pareto_energy,
# 15 pareto_cycles.
# Usage: gnuplot -e "csv='points.csv'; out='mixprec.png'[; model='cls']" mixprec.gp
if (!exists("model")) model = 'lm'
set datafile separator ','
# rows off the front are NaN: skipped, not breaking the front's line
set datafile missing NaN
set terminal pngcairo size 1400,600 font ',10' noenhanced
set output out
set multiplot layout 1,2 title 'accel-mixprec: per-layer formats (mixed) against one format for every layer (uniform)'
set grid
set key top right
atleast(d) = d > 1e-5 ? d : 1e-5
if (model eq 'cls') {
	set key bottom right
	set ylabel 'test top-1 (10,000 images, device numerics)'
	y(c7, c8) = c7
	item = 'image'
} else {
	set logscale y
	set ylabel 'bits/byte above FP32 (report windows, device numerics)'
	y(c7, c8) = atleast(c8)
	item = 'decoded token'
}
uni(k, v) = strcol(1) eq 'uniform' ? v : NaN
mix(k, v) = strcol(1) eq 'mixed' ? v : NaN
par(c, v) = column(c) == 1 ? v : NaN

set xlabel 'energy per '.item.' (uJ)'
set title 'accuracy against energy'
plot csv every ::1 using (par(14, $11)):(y($7, $8)) smooth unique with lines lw 1 lc rgb '#999999' title 'Pareto front', \
     csv every ::1 using (uni(1, $11)):(y($7, $8)) with points pt 7 ps 1.5 lc rgb '#1b9e77' title 'uniform', \
     csv every ::1 using (uni(1, $11)):(y($7, $8)):2 with labels offset 1,0.6 left font ',8' notitle, \
     csv every ::1 using (mix(1, $11)):(y($7, $8)) with points pt 9 ps 1.5 lc rgb '#d95f02' title 'mixed'

set xlabel 'cycles per '.item
set title 'accuracy against latency'
plot csv every ::1 using (par(15, $12)):(y($7, $8)) smooth unique with lines lw 1 lc rgb '#999999' title 'Pareto front', \
     csv every ::1 using (uni(1, $12)):(y($7, $8)) with points pt 7 ps 1.5 lc rgb '#1b9e77' title 'uniform', \
     csv every ::1 using (uni(1, $12)):(y($7, $8)):2 with labels offset 1,0.6 left font ',8' notitle, \
     csv every ::1 using (mix(1, $12)):(y($7, $8)) with points pt 9 ps 1.5 lc rgb '#d95f02' title 'mixed'
unset multiplot
