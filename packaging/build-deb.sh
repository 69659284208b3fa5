#!/bin/sh
# Builds the Debian package of the target: packaging/target/vaai-target_<version>_all.deb, with
#   /usr/share/vaai-target/iscsi-target.jar   the runnable jar (target-server/target/iscsi-target.jar)
#   /usr/bin/vaai-target                      the launcher (bin/vaai-target with the installed jar's path)
#   /lib/systemd/system/vaai-target.service   the unit (packaging/vaai-target.service)
#   /etc/vaai-target/target.yaml              the default configuration, a conffile (packaging/target.yaml)
#   /usr/share/doc/vaai-target/README.md
# <version> is the jar's own (`--version`, i.e. the pom's), with -SNAPSHOT as ~SNAPSHOT so that a release
# sorts after its snapshots. Needs the jar built first (`mvn -DskipTests package`), java and dpkg-deb.
#
# Environment (optional): VAAI_TARGET_JAR (the jar), JAVA (the java binary), OUT_DIR (packaging/target).
# Prints the path of the .deb.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
jar=${VAAI_TARGET_JAR:-$root/target-server/target/iscsi-target.jar}
out=${OUT_DIR:-$here/target}
if [ -z "${JAVA:-}" ]; then
  if [ -n "${JAVA_HOME:-}" ]; then JAVA=$JAVA_HOME/bin/java; else JAVA=java; fi
fi
if [ ! -f "$jar" ]; then
  echo "build-deb.sh: $jar not found: build it with 'mvn -DskipTests package' (or set VAAI_TARGET_JAR)" >&2
  exit 2
fi
command -v dpkg-deb >/dev/null 2>&1 || { echo "build-deb.sh: dpkg-deb not found: apt-get install dpkg" >&2; exit 2; }

# "iscsi-target 0.1.0-SNAPSHOT" -> 0.1.0~SNAPSHOT
jar_version=$("$JAVA" -jar "$jar" --version | awk 'NR == 1 { print $2 }')
case $jar_version in
  [0-9]*) ;;
  *) echo "build-deb.sh: cannot read the version of $jar (got '$jar_version')" >&2; exit 1 ;;
esac
version=$(printf '%s' "$jar_version" | sed 's/-/~/g')

stage=$out/deb-root
rm -rf "$stage"
mkdir -p "$stage/DEBIAN" "$stage/usr/share/vaai-target" "$stage/usr/bin" "$stage/lib/systemd/system" \
  "$stage/etc/vaai-target" "$stage/usr/share/doc/vaai-target"

install -m 0644 "$jar" "$stage/usr/share/vaai-target/iscsi-target.jar"
install -m 0644 "$here/vaai-target.service" "$stage/lib/systemd/system/vaai-target.service"
install -m 0644 "$here/target.yaml" "$stage/etc/vaai-target/target.yaml"
install -m 0644 "$root/README.md" "$stage/usr/share/doc/vaai-target/README.md"

# The launcher: bin/vaai-target with the installed jar as its default (one script to maintain).
sed -e '/^here=/d' \
    -e 's|^jar=.*|jar=${VAAI_TARGET_JAR:-/usr/share/vaai-target/iscsi-target.jar}|' \
    -e "s|build it with 'mvn -DskipTests package'|reinstall the vaai-target package|" \
    -e 's|VAAI_TARGET_JAR       the jar (default: .*|VAAI_TARGET_JAR       the jar (default: /usr/share/vaai-target/iscsi-target.jar)|' \
    "$root/bin/vaai-target" > "$stage/usr/bin/vaai-target"
chmod 0755 "$stage/usr/bin/vaai-target"
if ! grep -q '^jar=${VAAI_TARGET_JAR:-/usr/share/vaai-target/iscsi-target.jar}$' "$stage/usr/bin/vaai-target" \
    || grep -q 'target-server/target' "$stage/usr/bin/vaai-target"; then
  echo "build-deb.sh: bin/vaai-target changed shape: update the sed expressions that adapt it" >&2
  exit 1
fi

for script in postinst prerm postrm; do
  install -m 0755 "$here/debian/$script" "$stage/DEBIAN/$script"
done
echo /etc/vaai-target/target.yaml > "$stage/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat > "$stage/DEBIAN/control" <<CONTROL
Package: vaai-target
Version: $version
Architecture: all
Section: net
Priority: optional
Maintainer: vaai-target developers <vaai-target@localhost>
Installed-Size: $size
Depends: openjdk-17-jre-headless | java17-runtime-headless, adduser | passwd
Description: iSCSI target with VMware VAAI support
 A Java iSCSI target (RFC 7143) serving file-backed LUNs with SBC-4 block commands and the
 VMware VAAI primitives: ATS (COMPARE AND WRITE), XCOPY, WRITE SAME and UNMAP.
 .
 Runs as the systemd service vaai-target (Type=notify) as the vaai-target user, configured by
 /etc/vaai-target/target.yaml, with its LUN files in /var/lib/vaai-target. Not started on
 installation: configure authentication first.
CONTROL

deb=$out/vaai-target_${version}_all.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
rm -rf "$stage"
echo "$deb"
