# SPDX-License-Identifier: GPL-2.0
# bash completion for kasblockctl(8). tests/cli/completion_test.sh checks that
# every command and long option `kasblockctl CMD --help` shows is named here.

_kasblockctl() {
	local cur prev words cword
	_init_completion -s || return

	local commands="add del load list flush status mode hash lock monitor digest sweep scan harvest report attest verify help"

	if [[ $cword -eq 1 ]]; then
		COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
		return
	fi

	# Options that take an argument: complete the argument, not another option.
	case $prev in
	--label | -l | --count | -c | --max-size | --max-depth | --nonce | -n | --expect-digest | -d | --ak-handle)
		return
		;;
	--ak | -k | --create-ak | --ak-pub | -a | --out | --tpm)
		_filedir
		return
		;;
	--root)
		_filedir -d
		return
		;;
	--output | -o | --emit-blocklist | --indicators | --exclude)
		COMPREPLY=($(compgen -W "-" -- "$cur"))
		_filedir
		return
		;;
	esac

	local opts="" files=""
	case ${words[1]} in
	add) opts="--label" ;;
	del) ;;
	load)
		opts="--sweep --sweep=report --sweep=kill --allow-empty -"
		files=y
		;;
	digest)
		opts="--json -"
		files=y
		;;
	list | status | report) opts="--json" ;;
	flush | lock) ;;
	mode)
		[[ $cword -eq 2 && $cur != -* ]] && COMPREPLY=($(compgen -W "enforce monitor" -- "$cur"))
		opts="--json"
		;;
	hash)
		opts="--module --json -"
		files=y
		;;
	monitor) opts="--json --count" ;;
	sweep) opts="--kill --json" ;;
	scan) opts="--root --json --csv --emit-blocklist --indicators --exclude --max-size --max-depth --quiet" ;;
	harvest)
		opts="--output --exclude --max-size -"
		files=y
		;;
	attest) opts="--nonce --ak --ak-handle --out --create-ak --ak-pub --tpm" ;;
	verify)
		opts="--ak-pub --nonce --expect-digest --expect-locked"
		files=y
		;;
	help)
		[[ $cword -eq 2 ]] && COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		return
		;;
	*) return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
		[[ ${COMPREPLY-} == *= ]] && compopt -o nospace
	elif [[ -n $files ]]; then
		_filedir
	fi
} &&
	complete -F _kasblockctl kasblockctl
