# SPDX-License-Identifier: GPL-2.0
# bash completion for kasblockctl(8)

_kasblockctl() {
	local cur prev words cword
	_init_completion || return

	local commands="add del load list flush status mode hash lock monitor digest scan harvest help"

	if [[ $cword -eq 1 ]]; then
		COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
		return
	fi

	case ${words[1]} in
	add)
		if [[ $prev == --label || $prev == -l ]]; then
			return
		fi
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--label --help" -- "$cur"))
		fi
		;;
	del)
		[[ $cur == -* ]] && COMPREPLY=($(compgen -W "--help" -- "$cur"))
		;;
	load | digest)
		if [[ $cur == -* ]]; then
			local flags="--help -"
			[[ ${words[1]} == load ]] && flags+=" --allow-empty"
			COMPREPLY=($(compgen -W "$flags" -- "$cur"))
		else
			_filedir
		fi
		;;
	monitor)
		if [[ $prev == --count || $prev == -c ]]; then
			return
		fi
		[[ $cur == -* ]] && COMPREPLY=($(compgen -W "--json --count --help" -- "$cur"))
		;;
	list | flush | lock)
		[[ $cword -eq 2 ]] && COMPREPLY=($(compgen -W "--help" -- "$cur"))
		;;
	status)
		[[ $cword -eq 2 ]] && COMPREPLY=($(compgen -W "--json --help" -- "$cur"))
		;;
	mode)
		[[ $cword -eq 2 ]] && COMPREPLY=($(compgen -W "enforce monitor --help" -- "$cur"))
		;;
	hash)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--module --help" -- "$cur"))
		else
			_filedir
		fi
		;;
	scan | harvest)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--help" -- "$cur"))
		else
			_filedir
		fi
		;;
	help)
		[[ $cword -eq 2 ]] && COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		;;
	esac
} &&
	complete -F _kasblockctl kasblockctl
