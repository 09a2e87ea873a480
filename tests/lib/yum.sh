# Loopback YUM repositories for the server update tests (server-updates.sh,
# upgrade-rollout.sh): repositories built at test time (repomd.xml with the
# sha256 of a gzipped primary.xml, written by python3 as createrepo_c does)
# and served by python3 -m http.server on a loopback address. Source after
# tests/lib/loopback.sh; needs $py (python3). Every wait is bounded.

yum_httpd=

# yum_mkrepo DIR BADSUM PKG EPOCH VER REL...: a YUM repository in DIR
# (BADSUM=yes: repomd.xml names a wrong checksum of primary.xml.gz).
yum_mkrepo() {
    "$py" - "$@" <<'PY'
import gzip, hashlib, os, sys
d, badsum, pk = sys.argv[1], sys.argv[2] == "yes", sys.argv[3:]
os.makedirs(d + "/repodata", exist_ok=True)
pkgs = "".join('<package type="rpm"><name>%s</name><arch>x86_64</arch>'
               '<version epoch="%s" ver="%s" rel="%s"/></package>' % tuple(pk[i:i + 4])
               for i in range(0, len(pk), 4))
prim = ('<?xml version="1.0" encoding="UTF-8"?><metadata xmlns="http://linux.duke.edu/metadata/common" '
        'packages="%d">%s</metadata>' % (len(pk) // 4, pkgs)).encode()
gz = gzip.compress(prim)
open(d + "/repodata/primary.xml.gz", "wb").write(gz)
s = hashlib.sha256(gz).hexdigest()
if badsum:
    s = "0" * 64
open(d + "/repodata/repomd.xml", "w").write(
    '<?xml version="1.0" encoding="UTF-8"?><repomd xmlns="http://linux.duke.edu/metadata/repo">'
    '<revision>1</revision><data type="primary"><checksum type="sha256">%s</checksum>'
    '<location href="repodata/primary.xml.gz"/></data></repomd>' % s)
PY
}

# yum_serve DIR IP LOG: serves DIR over HTTP on IP at a free port, set in
# $yum_port (the server's pid in $yum_httpd); fails unless it answers within 10 s.
yum_serve() {
    yum_port=$(pick_port "$2")
    (cd "$1" && exec "$py" -m http.server --bind "$2" "$yum_port" >"$3" 2>&1) &
    yum_httpd=$!
    wait_port "$2" "$yum_port"
}

yum_stop() {
    [ -n "$yum_httpd" ] && kill "$yum_httpd" 2>/dev/null
    yum_httpd=
}
