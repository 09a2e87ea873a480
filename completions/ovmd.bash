# bash completion for ovmd(8) and ovm-agentd(8): the options, read from the
# program's own --help so that this file never lists them a second time.
_ovm_daemon()
{
    local cur prev
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    case $prev in
    -f|--config|--log-file|--password-file|--pid-file|--restore|--socket)
        COMPREPLY=($(compgen -f -- "$cur"))
        return ;;
    --state-dir|--nfs-root)
        COMPREPLY=($(compgen -d -- "$cur"))
        return ;;
    --driver)
        COMPREPLY=($(compgen -W 'sim libvirt' -- "$cur"))
        return ;;
    --libvirt-domain-type)
        COMPREPLY=($(compgen -W 'qemu kvm' -- "$cur"))
        return ;;
    esac
    [[ $cur == -* ]] || return
    local opts
    opts=$("$1" --help 2>&1 | grep -oE -- '(^|[[:space:](|,])--?[[:alnum:]][[:alnum:]-]*' |
           sed 's/^[^-]*//' | sort -u)
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -F _ovm_daemon ovmd ovm-agentd
