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
			plots='' i=0
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

# ---- the lab (boot.sh, net.sh, blk.sh lab) ---------------------------------
# Each inner script (lab-*-inner.sh) prints PLAN (rounds), ROUND r before
# each round and DONE at its end; the summaries take every figure from the
# lab's console log (prefixes and \r stripped), check that every round of
# every monitor is there (a round lost to a cut log is a failure, not a
# smaller median), and give each figure as the per-round paired ratio
# tessera/QEMU: median, min and max over the rounds (not a ratio of medians).

# bench_lines LOG TAG: the LOG's lines from TAG (an extended regex) on,
# whatever prefix the lab put before it.
bench_lines() {
	tr -d '\r' <"$1" | grep -aoE "$2.*" || true
}

# The awk helpers every summary uses: med/lo/hi of a[1..n] (sorts a).
BENCH_AWK_LIB='
function sortn(a, n,   i, j, t) { for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t } }
function med(a, n) { sortn(a, n); return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
function spread(a, n, fmt) { sortn(a, n); return sprintf(fmt " (min " fmt ", max " fmt ")", med(a, n), a[1], a[n]) }
function kv(s, key,   i, n, f) { n = split(s, f, " "); for (i = 1; i <= n; i++) if (index(f[i], key "=") == 1) return substr(f[i], length(key) + 2); return "" }
'

# boot_summary LOG: lab-boot-inner.sh's figures:
#   BENCH-PLAN rounds=N kernels=K1,K2   BENCH-ROUND r   BENCH-DONE
#   BENCH <tessera|qemu>/<kernel> <round> marker=<s> exit=<s> guest_uptime=<s>
#   HELLO <round> <s>
boot_summary() {
	{ bench_lines "$1" '(^|[^A-Z])BENCH[A-Z-]*( |$)' | sed 's/^[^A-Z]//'; bench_lines "$1" 'HELLO [0-9]'; } | awk "$BENCH_AWK_LIB"'
	$1 == "BENCH-PLAN" { rounds = kv($0, "rounds"); nk = split(kv($0, "kernels"), K, ","); plan = 1 }
	$1 == "BENCH-DONE" { done = 1 }
	$1 == "BENCH" && NF == 6 { split($2, mk, "/"); r = $3
		M[mk[1], mk[2], r] = kv($0, "marker"); U[mk[1], mk[2], r] = kv($0, "guest_uptime") }
	$1 == "HELLO" && NF == 3 { nh++; h[nh] = $3 * 1000 }
	$1 == "BENCH-FAIL" { fails = fails "\n  " $0 }
	END {
		if (fails != "") { printf "boot bench: FAIL: runs failed:%s\n", fails > "/dev/stderr"; bad = 1 }
		if (!plan) { print "boot bench: FAIL: no BENCH-PLAN line: the lab test printed nothing" > "/dev/stderr"; exit 1 }
		if (nh) printf "hello guest inside L1, exec to exit, %d runs: %s ms\n", nh, spread(h, nh, "%.1f")
		for (k = 1; k <= nk; k++) {
			kern = K[k]; n = 0; lost = ""
			for (r = 1; r <= rounds; r++) {
				t = M["tessera", kern, r]; q = M["qemu", kern, r]
				if (t == "" || q == "" || t <= 0 || q <= 0) { lost = lost " " r; continue }
				n++; tm[n] = t; qm[n] = q; ra[n] = t / q
				to[n] = t - U["tessera", kern, r]; qo[n] = q - U["qemu", kern, r]
			}
			if (lost != "") { printf "boot bench: FAIL: %s kernel: round(s)%s lost (no init marker from tessera or QEMU)\n", kern, lost > "/dev/stderr"; bad = 1 }
			if (!n) continue
			printf "%s kernel, %d of %d rounds: to the init marker, tessera %s s, QEMU %s s\n", kern, n, rounds, spread(tm, n, "%.2f"), spread(qm, n, "%.2f")
			printf "  per-round ratio tessera/QEMU to the init marker: %s (goal <= 0.5)\n", spread(ra, n, "%.2f")
			printf "  outside the guest kernel (marker - guest uptime at init): tessera %s s, QEMU %s s\n", spread(to, n, "%.2f"), spread(qo, n, "%.2f")
		}
		if (!done) { print "boot bench: FAIL: no BENCH-DONE line: the lab output was cut or the test died" > "/dev/stderr"; bad = 1 }
		exit bad
	}'
}

# boot_plot LOG OUT.png: the time-to-init distributions of tessera and QEMU,
# one panel per kernel, an empirical CDF per monitor (a step and a dot per
# run). Needs gnuplot.
boot_plot() {
	local log=$1 out=$2 d f k m kernels='' n plots
	d=$(dirname "$out")
	rm -f "$d"/boot-*.runs "$d"/boot-*.ecdf
	bench_lines "$log" '(^|[^A-Z])BENCH ' | sed 's/^[^A-Z]//' | awk -v d="$d" '$1 == "BENCH" && NF == 6 {
		split($2, mk, "/"); m = $4; sub(/^marker=/, "", m)
		if (m > 0) print m > (d "/boot-" mk[2] "-" mk[1] ".runs") }'
	for f in "$d"/boot-*.runs; do
		[ -s "$f" ] || continue
		k=${f##*/boot-} k=${k%-*.runs}
		case " $kernels " in *" $k "*) ;; *) kernels="$kernels $k" ;; esac
		# (x1, 0), then (xi, i/n): with "steps", the CDF rises at each run.
		sort -g "$f" | awk '{ x[NR] = $1 } END { print x[1], 0; for (i = 1; i <= NR; i++) print x[i], i / NR }' >"${f%.runs}.ecdf"
	done
	[ -n "$kernels" ] || { bench_fail "boot plot: no runs in $log"; return 1; }
	n=$(echo $kernels | wc -w)
	{
		echo "set terminal pngcairo size $((520 * n + 80)),520 font 'sans,10' noenhanced"
		echo "set output '$out'"
		echo "set multiplot layout 1,$n title 'Boot to the init marker in the nested lab (L1 under TCG), tessera vs ${BENCH_QEMU_NAME:-QEMU microvm}; each dot is one run'"
		echo "set xlabel 'seconds from launch to the init marker'; set ylabel 'fraction of runs'"
		echo "set yrange [0:1.05]; set grid; set key bottom right"
		for k in $kernels; do
			echo "set title '$k kernel'"
			plots=
			for m in tessera qemu; do
				f=$d/boot-$k-$m.ecdf
				[ -s "$f" ] || continue
				c=$([ "$m" = tessera ] && echo '#0072b2' || echo '#e51e10')
				plots="$plots${plots:+, }'$f' using 1:2 with steps lw 2 lc rgb '$c' title '$m', '$f' every ::1 using 1:2 with points pt 7 ps 0.7 lc rgb '$c' notitle"
			done
			echo "plot $plots"
		done
		echo "unset multiplot"
	} >"$d/boot-plot.gp"
	gnuplot "$d/boot-plot.gp" 2>"$d/boot-plot.err" || { cat "$d/boot-plot.err" >&2; bench_fail "gnuplot could not draw $out"; return 1; }
	[ -s "$out" ] || { bench_fail "gnuplot wrote no $out"; return 1; }
}

# net_summary LOG: lab-net-inner.sh's figures:
#   NETBENCH-PLAN rounds=N   NETBENCH-ROUND r   NETBENCH-DONE   NETBENCH-FAIL ...
#   NETBENCH <tessera|qemu> <rx|tx|iperf-rx|iperf-tx> <bytes> <seconds>
# Goals (issue 17): receive (rx, iperf-rx) >= 1.0x QEMU and transmit (tx,
# iperf-tx) >= 1.2x in every round.
net_summary() {
	bench_lines "$1" 'NETBENCH[A-Z-]*( |$)' | awk "$BENCH_AWK_LIB"'
	$1 == "NETBENCH-PLAN" { rounds = kv($0, "rounds"); plan = 1 }
	$1 == "NETBENCH-ROUND" { r = $2 }
	$1 == "NETBENCH-DONE" { done = 1 }
	$1 == "NETBENCH-FAIL" { fails = fails "\n  " $0 }
	$1 == "NETBENCH" && NF == 5 && $4 > 0 && $5 > 0 && r { V[$2, $3, r] = $4 / 1048576 / $5 }
	END {
		if (!plan) { print "net bench: FAIL: no NETBENCH-PLAN line: the lab test printed nothing" > "/dev/stderr"; exit 1 }
		nd = split("rx tx iperf-rx iperf-tx", D); goal["rx"] = goal["iperf-rx"] = 1.0; goal["tx"] = goal["iperf-tx"] = 1.2
		name["rx"] = "HTTP rx (L1 -> guest)"; name["tx"] = "HTTP tx (guest -> L1)"
		name["iperf-rx"] = "iperf3 rx (L1 -> guest)"; name["iperf-tx"] = "iperf3 tx (guest -> L1)"
		for (d = 1; d <= nd; d++) {
			dir = D[d]; n = 0; lost = ""
			for (i = 1; i <= rounds; i++) {
				t = V["tessera", dir, i]; q = V["qemu", dir, i]
				if (t == "" || q == "") { lost = lost " " i; continue }
				n++; tv[n] = t; qv[n] = q; ra[n] = t / q
			}
			if (lost != "") { printf "net bench: FAIL: %s: round(s)%s lost\n", dir, lost > "/dev/stderr"; bad = 1 }
			if (!n) continue
			printf "%s, %d of %d rounds: tessera %s MiB/s, QEMU %s MiB/s\n", name[dir], n, rounds, spread(tv, n, "%.1f"), spread(qv, n, "%.1f")
			lo = ra[1]; for (i = 2; i <= n; i++) if (ra[i] < lo) lo = ra[i]
			printf "  per-round ratio tessera/QEMU: %s (goal >= %.1f in every round: %s)\n", spread(ra, n, "%.2f"), goal[dir], (lo >= goal[dir] ? "met" : "not met")
			if (lo >= goal[dir]) met++; dirs++
		}
		if (dirs) printf "goals met in every round: %d of %d figures\n", met, dirs
		if (fails != "") { printf "net bench: FAIL: runs failed:%s\n", fails > "/dev/stderr"; bad = 1 }
		if (!done) { print "net bench: FAIL: no NETBENCH-DONE line: the lab output was cut or the test died" > "/dev/stderr"; bad = 1 }
		exit bad
	}'
}

# blk_summary LOG: lab-blk-inner.sh's figures:
#   BLKBENCH-PLAN rounds=N   BLKBENCH-ROUND r   BLKBENCH-DONE   BLKBENCH-FAIL ...
#   BLKBENCH <host|tessera|qemu-uring|qemu-threads> <job> <KiB/s> <IOPS> <clat us>   FIOERR ...
# Goals (issue 17): tessera >= 1.2x both QEMUs at every point (every job,
# every round), >= 0.8x fio in L1 at depth 16 (jobs named *-d16).
blk_summary() {
	{ bench_lines "$1" 'BLKBENCH[A-Z-]*( |$)'; bench_lines "$1" 'FIOERR '; } | awk "$BENCH_AWK_LIB"'
	function lowest(a, n,   i, m) { m = a[1]; for (i = 2; i <= n; i++) if (a[i] < m) m = a[i]; return m }
	$1 == "BLKBENCH-PLAN" { rounds = kv($0, "rounds"); plan = 1 }
	$1 == "BLKBENCH-ROUND" { r = $2 }
	$1 == "BLKBENCH-DONE" { done = 1 }
	$1 == "BLKBENCH-FAIL" || $1 == "FIOERR" { fails = fails "\n  " $0 }
	$1 == "BLKBENCH" && NF == 6 && r { if (!($3 in seen)) { seen[$3] = 1; nj++; J[nj] = $3 }
		BW[$2, $3, r] = $4; IO[$2, $3, r] = $5; LAT[$2, $3, r] = $6 }
	END {
		if (!plan) { print "blk bench: FAIL: no BLKBENCH-PLAN line: the lab test printed nothing" > "/dev/stderr"; exit 1 }
		if (!nj) { print "blk bench: FAIL: no fio figures at all" > "/dev/stderr"; exit 1 }
		for (j = 1; j <= nj; j++) {
			job = J[j]; n = 0; lost = ""
			for (i = 1; i <= rounds; i++) {
				t = BW["tessera", job, i]; u = BW["qemu-uring", job, i]; q = BW["qemu-threads", job, i]; h = BW["host", job, i]
				if (t == "" || u == "" || q == "" || h == "" || u <= 0 || q <= 0 || h <= 0) { lost = lost " " i; continue }
				n++; ti[n] = IO["tessera", job, i]; ui[n] = IO["qemu-uring", job, i]; qi[n] = IO["qemu-threads", job, i]
				hi[n] = IO["host", job, i]; ru[n] = t / u; rq[n] = t / q; rh[n] = t / h
			}
			if (lost != "") { printf "blk bench: FAIL: %s: round(s)%s lost\n", job, lost > "/dev/stderr"; bad = 1 }
			if (!n) continue
			printf "%s, %d of %d rounds, IOPS: tessera %s, QEMU io_uring %s, QEMU threads %s, fio in L1 %s\n", job, n, rounds,
				spread(ti, n, "%.0f"), spread(ui, n, "%.0f"), spread(qi, n, "%.0f"), spread(hi, n, "%.0f")
			mq = lowest(ru, n); if (lowest(rq, n) < mq) mq = lowest(rq, n)
			points++; if (mq >= 1.2) qmet++
			ok = (mq >= 1.2 ? "met" : "not met")
			if (job ~ /-d16$/) { d16++; mh = lowest(rh, n); if (mh >= 0.8) hmet++; ok = ok sprintf(", >= 0.8x L1: %s", mh >= 0.8 ? "met" : "not met") }
			printf "  per-round ratio tessera/QEMU io_uring %s, tessera/QEMU threads %s, tessera/fio in L1 %s (>= 1.2x QEMU: %s)\n",
				spread(ru, n, "%.2f"), spread(rq, n, "%.2f"), spread(rh, n, "%.3f"), ok
			nw = 0 # tessera without AIO (workers only), where the run had it
			for (i = 1; i <= rounds; i++) if (BW["tessera-workers", job, i] > 0 && BW["tessera", job, i] != "") {
				nw++; rw[nw] = BW["tessera", job, i] / BW["tessera-workers", job, i]; wi[nw] = IO["tessera-workers", job, i] }
			if (nw) printf "  tessera without Linux AIO (workers only) %s IOPS; per-round ratio with/without %s\n",
				spread(wi, nw, "%.0f"), spread(rw, nw, "%.2f")
		}
		if (points) printf "goals: >= 1.2x both QEMUs in every round at %d of %d points; >= 0.8x fio in L1 at depth 16 at %d of %d\n", qmet, points, hmet, d16
		if (fails != "") { printf "blk bench: FAIL: runs failed:%s\n", fails > "/dev/stderr"; bad = 1 }
		if (!done) { print "blk bench: FAIL: no BLKBENCH-DONE line: the lab output was cut or the test died" > "/dev/stderr"; bad = 1 }
		exit bad
	}'
}
