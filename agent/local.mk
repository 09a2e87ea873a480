# agent build rules
