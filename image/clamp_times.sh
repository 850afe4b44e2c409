#!/bin/sh
# Builder step, at the end of every RUN that writes under /opt: each file time there that is not
# the lock's cut-off (its `# exclude-newer:` line) becomes it, so rebuilds are identical. Only what
# the RUN itself wrote or changed differs, so nothing older is copied up into the RUN's layer (one
# pass over all of /opt at the end copied up every file of the venv, 7-9 s), and a new commit
# invalidates no step (the lock's time, not the commit's).
set -eu
cutoff=$(sed -n 's/^# exclude-newer: //p' /opt/locks/requirements.lock)
[ -n "$cutoff" ] || { echo "/opt/locks/requirements.lock: no '# exclude-newer:' line to take file times from" >&2; exit 2; }
stamp=$(date -d "$cutoff" +%s)
find /opt \( -newermt "@$stamp" -o ! -newermt "@$((stamp - 1))" \) -exec touch -h -d "@$stamp" {} +
