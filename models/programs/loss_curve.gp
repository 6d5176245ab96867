# SPDX-License-Identifier: MIT
# A training loss curve from mdl-train-lm's or mdl-train-cls's --curve CSV
# (header line, then x, loss, and a third column: the LM's smoothed loss,
# the classifier's train accuracy, on the right axis).
# Usage: gnuplot -e "csv='moby-lm-curve.csv'; out='moby-lm-curve.png'; what='...'" loss_curve.gp
set datafile separator ','
set terminal pngcairo size 1000,600 font ',10' noenhanced
set output out
set grid
set key top right
set title what
set ylabel 'training loss (nats)'
set logscale y
set autoscale y
set xlabel system(sprintf("head -1 '%s' | cut -d, -f1", csv))
third = system(sprintf("head -1 '%s' | cut -d, -f3", csv))
if (third eq 'train_acc') {
	set y2label 'train accuracy'
	set y2tics
	set ytics nomirror
	plot csv every ::1 using 1:2 with linespoints lw 2 title 'loss', \
	     csv every ::1 using 1:3 axes x1y2 with linespoints lw 2 title 'train accuracy'
} else {
	plot csv every ::1 using 1:2 with lines lc rgb '#bbbbbb' title 'loss per step', \
	     csv every ::1 using 1:3 with lines lw 2 lc rgb '#d95f02' title 'smoothed (EMA 0.98)'
}
