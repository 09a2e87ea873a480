# bash completion for ovmsh(1): the options; the OVM> language itself is
# completed inside ovmsh by the engine (TAB and '?').
_ovmsh()
{
    local cur prev
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    case $prev in
    -S|--socket)
        COMPREPLY=($(compgen -f -- "$cur"))
        return ;;
    -u|--user)
        COMPREPLY=($(compgen -u -- "$cur"))
        return ;;
    -c|--command)
        return ;;
    esac
    COMPREPLY=($(compgen -W '-c --command -S --socket -u --user --stop-on-error -h --help -V --version' -- "$cur"))
}
complete -F _ovmsh ovmsh
