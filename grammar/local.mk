# grammar build rules
