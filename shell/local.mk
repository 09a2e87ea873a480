# shell build rules
