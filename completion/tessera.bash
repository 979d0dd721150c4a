# SPDX-License-Identifier: GPL-2.0
# bash completion for tessera(1), loaded on demand by bash-completion.
# The options come from the binary's own `tessera run --help`, so they
# never drift from it; what follows knows which values are files.
# shellcheck disable=SC2207 # compgen's words never hold blanks here

# Prints the options of `run`, one a line, each followed by " =" when it
# takes a value (--memory SIZE) and " ?" when the value is optional
# (--hugepages[=thp]).
_tessera_options()
{
	"$1" run --help 2>/dev/null | awk '
	/^ +(-[a-z], )?--[a-z]/ {
		sub(/^ +(-[a-z], )?/, "")
		opt = $0; sub(/[ [].*/, "", opt)
		rest = substr($0, length(opt) + 1)
		if (rest ~ /^\[/) print opt " ?"
		else if (rest ~ /^ [^ ]/) print opt " ="
		else print opt
	}'
}

_tessera()
{
	local cur prev words cword split
	_init_completion -s -n : || return

	if [[ $cword -eq 1 ]]; then
		COMPREPLY=($(compgen -W 'run --help --version' -- "$cur"))
		return
	fi
	[[ ${words[1]} == run ]] || return

	case $prev in
	--kernel | --initrd | --config | --dump-dtb)
		_filedir
		return ;;
	--serial)
		if [[ $cur == file:* ]]; then
			local prefix=file:
			cur=${cur#file:}
			_filedir
			COMPREPLY=("${COMPREPLY[@]/#/$prefix}")
			__ltrim_colon_completions "$prefix$cur"
		else
			COMPREPLY=($(compgen -W 'stdio file: none' -- "$cur"))
			[[ ${COMPREPLY[0]-} == file: ]] && compopt -o nospace
			__ltrim_colon_completions "$cur"
		fi
		return ;;
	--cpu-template)
		COMPREPLY=($(compgen -W 'host baseline' -- "$cur"))
		return ;;
	--rt)
		COMPREPLY=($(compgen -W 'fifo fifo:' -- "$cur"))
		__ltrim_colon_completions "$cur"
		return ;;
	--hugepages)
		# Its value is optional, so only --hugepages=VALUE takes one.
		if $split; then
			COMPREPLY=($(compgen -W 'thp none' -- "$cur"))
			return
		fi ;;
	--disk)
		# path=FILE[,ro][,direct=on][,serial=ID]
		if [[ $cur == path=*,* ]]; then
			local head=${cur%,*}
			COMPREPLY=($(compgen -P "$head," -W 'ro direct=on serial=' -- "${cur##*,}"))
			compopt -o nospace
		elif [[ $cur == path=* ]]; then
			cur=${cur#path=}
			_filedir
			COMPREPLY=("${COMPREPLY[@]/#/path=}")
		else
			COMPREPLY=(path=)
			compopt -o nospace
		fi
		return ;;
	--net)
		if [[ $cur == tap=* ]]; then
			local taps
			taps=$(cd /sys/class/net 2>/dev/null && for i in *; do
				[[ -e $i/tun_flags ]] && printf '%s\n' "$i"; done)
			COMPREPLY=($(compgen -P tap= -W "$taps" -- "${cur#tap=}"))
		else
			COMPREPLY=(tap=)
			compopt -o nospace
		fi
		return ;;
	--gdb)
		if [[ $cur == unix:* ]]; then
			cur=${cur#unix:}
			_filedir
			COMPREPLY=("${COMPREPLY[@]/#/unix:}")
			__ltrim_colon_completions "unix:$cur"
		else
			COMPREPLY=($(compgen -W 'tcp:127.0.0.1: unix:' -- "$cur"))
			compopt -o nospace
			__ltrim_colon_completions "$cur"
		fi
		return ;;
	--cgroup | --chroot)
		_filedir -d
		return ;;
	--seccomp)
		COMPREPLY=($(compgen -W 'kill trap log off list' -- "$cur"))
		return ;;
	esac

	local opts line takes
	opts=$(_tessera_options "${words[0]}")
	# Any other option that takes a value: nothing to offer for it.
	while read -r line takes; do
		[[ $prev == "$line" && $takes == = ]] && return
	done <<<"$opts"

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(cut -d' ' -f1 <<<"$opts")" -- "$cur"))
	fi
}
complete -F _tessera tessera
