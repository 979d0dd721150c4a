# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Parsers, summaries and plots shared by the benchmark scripts, kept apart
# from the runs so that smoke.sh can feed them recorded samples (samples/)
# without KVM or the lab. Every summary fails (status 1, one line naming
# what is missing) when its input holds no figure or lost a round: a
# benchmark must never go silent.

# bench_fail WHAT...: one line on stderr, status 1.
bench_fail() {
	echo "bench: FAIL: $*" >&2
	return 1
}

# ---- real time (rt.sh) ----------------------------------------------------

# rt_parse KIND FILE HIST: one run's output -> one summary line on stdout
#   min_us avg_us p99_us max_us cnt_min cnt_avg cnt_max maxdev_pct over3 overruns
# (counter fields "-" where the run has no counter), and its 1 us latency
# histogram as "US COUNT" lines in HIST (the overflow as "over COUNT").
# KIND: probe (rtprobe.elf's report), host (rt_host's), cyclictest (its -q -h
# output, one thread). The p99 comes from the histogram for all three, so
# that they are computed alike; past the histogram it is ">=LAST".
rt_parse() {
	local kind=$1 file=$2 hist=$3
	tr -d '\r' <"$file" | awk -v kind="$kind" -v hist="$hist" '
	function kv(line, key,   i, n, f) {
		n = split(line, f, " ")
		for (i = 1; i <= n; i++) if (index(f[i], key "=") == 1) return substr(f[i], length(key) + 2)
		return ""
	}
	function addhist(us, c) { h[us + 0] += c; total += c; if (us + 0 > top) top = us + 0 }
	BEGIN { tag = (kind == "probe") ? "cpl3" : "host"; pre = (kind == "probe") ? "rtprobe:" : "rthost:"; top = -1 }
	kind != "cyclictest" && $1 == pre && $2 == "latency" && $3 == tag {
		min = kv($0, "min_ns") / 1000; avg = kv($0, "avg_ns") / 1000; max = kv($0, "max_ns") / 1000; lat = 1 }
	kind != "cyclictest" && $1 == pre && $2 == "hist1us" && $3 == tag {
		for (i = 4; i <= NF; i++) {
			if (index($i, "over=") == 1) { over = substr($i, 6) + 0; total += over; sawover = 1; continue }
			split($i, p, ":"); addhist(p[1], p[2])
		}
	}
	kind != "cyclictest" && $1 == pre && $2 == "counter" && $3 == tag {
		cmin = kv($0, "min"); cavg = kv($0, "avg"); cmax = kv($0, "max")
		dev = kv($0, "maxdev"); sub(/%$/, "", dev); o3 = kv($0, "over3pct"); cnt = 1 }
	kind != "cyclictest" && $1 == pre && index($2, "overruns=") == 1 { ovr = substr($2, 10) }
	kind != "cyclictest" && $1 == pre && $2 == "ok" { ok = 1 }
	kind == "cyclictest" && /^[0-9]+[ \t]+[0-9]+$/ { addhist($1, $2) }
	kind == "cyclictest" && /^# Min Latencies:/ { min = $4 + 0; lat++ }
	kind == "cyclictest" && /^# Avg Latencies:/ { avg = $4 + 0 }
	kind == "cyclictest" && /^# Max Latencies:/ { max = $4 + 0; ok = 1 }
	kind == "cyclictest" && /^# Histogram Overflows:/ { over = $4 + 0; total += over; sawover = 1 }
	END {
		if (!ok || !lat || total <= 0 || !sawover) {
			printf "no figures in the %s output (ok=%d, latency=%d, %d histogram samples)\n", kind, ok, lat, total > "/dev/stderr"
			exit 1
		}
		need = total * 0.99; run = 0; p99 = ""
		for (u = 0; u <= top; u++) if (u in h) {
			run += h[u]; if (p99 == "" && run >= need) p99 = u
			print u, h[u] > hist
		}
		print "over", over + 0 > hist
		if (p99 == "") p99 = ">=" (top + 1)
		if (kind == "cyclictest") { cmin = cavg = cmax = dev = o3 = ovr = "-" }
		else if (!cnt) { print "no counter line in the " kind " output" > "/dev/stderr"; exit 1 }
		printf "%.1f %.1f %s %.1f %s %s %s %s %s %s\n", min, avg, p99, max, cmin, cavg, cmax, dev, o3, ovr
	}'
}

# rt_plot OUT.png TITLE DIR KEY:LABEL...: the latency histograms DIR/KEY-idle.hist
# and DIR/KEY-loaded.hist (rt_parse's HIST files), one curve per KEY, in two
# panels (alone, under load), counts on a log scale against the latency, as
# OSADL's latency plots show them. The latency axis is logarithmic too (the
# configurations span four decades), so the 1 us buckets are summed into 20
# bins per decade for drawing; the tables keep the 1 us figures. Needs gnuplot.
rt_plot() {
	local out=$1 title=$2 dir=$3 load kl key label plots i
	local colors=(x '#9400d3' '#009e73' '#0072b2' '#e51e10' '#404040')
	shift 3
	{
		echo "set terminal pngcairo size 1400,620 font 'sans,10' noenhanced"
		echo "set output '$out'"
		echo "set multiplot layout 1,2 title '${title//\'/}'"
		echo "set logscale xy; set xrange [1:*]; set yrange [0.8:*]"
		echo "set xlabel 'wake-up latency (us, log scale)'"
		echo "set ylabel 'periods per bin (20 bins a decade; log scale)'"
		echo "set grid xtics ytics mxtics; set key top right"
		for load in idle loaded; do
			echo "set title '$([ $load = idle ] && echo alone || echo 'under load (stress-ng on every CPU)')'"
			plots= i=0
			for kl in "$@"; do
				key=${kl%%:*} label=${kl#*:} i=$((i + 1))
				[ -s "$dir/$key-$load.hist" ] || continue
				# Bin b holds latencies u with floor(20 log10(u + 1)) = b;
				# empty bins sit at the floor (0.8: a log axis has no 0).
				awk '$1 != "over" { b = int(20 * log($1 + 1) / log(10) + 1e-9); h[b] += $2; if (b > top) top = b }
					END { for (b = 0; b <= top + 1; b++) print 10 ^ (b / 20), (h[b] > 0 ? h[b] : 0.8) }' \
					"$dir/$key-$load.hist" >"$dir/$key-$load.bins"
				plots="$plots${plots:+, }'$dir/$key-$load.bins' using 1:2 with steps lw 2 dt $([ "$i" -le 3 ] && echo 1 || echo 2) lc rgb '${colors[i]:-black}' title '${label//\'/}'"
			done
			[ -n "$plots" ] && echo "plot $plots"
		done
		echo "unset multiplot"
	} >"$dir/plot.gp"
	gnuplot "$dir/plot.gp" 2>"$dir/plot.err" || { cat "$dir/plot.err" >&2; bench_fail "gnuplot could not draw $out"; return 1; }
	[ -s "$out" ] || { bench_fail "gnuplot wrote no $out"; return 1; }
}
