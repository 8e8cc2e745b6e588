#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6 does not run on 3.11+).
# Order: $PYTHON, pyenv's 3.10.13, python3.10 on PATH. Explains itself when none is found.
set -u
want="3.10"
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
if command -v pyenv >/dev/null 2>&1; then
  for v in 3.10.13 $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10\.[0-9]+$' | sort -rV); do
    p="$(pyenv prefix "$v" 2>/dev/null)/bin/python3.10"
    [ -x "$p" ] && candidates+=("$p")
  done
fi
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
for c in "${candidates[@]}"; do
  if ver=$("$c" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) && [ "$ver" = "$want" ]; then
    echo "$c"
    exit 0
  fi
done
cat >&2 <<MSG
ERROR: Heupwijzer needs Python $want (Rasa 3.6 does not run on 3.11 or newer), and none was found.
Tried: \$PYTHON, 'pyenv prefix 3.10.x', and python3.10 on PATH.
Fix one of these:
  - pyenv install 3.10.13            (then run make again)
  - or point at an interpreter:      make PYTHON=/path/to/python3.10 ...
MSG
exit 1
