# completions build rules
