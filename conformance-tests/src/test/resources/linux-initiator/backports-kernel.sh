#!/bin/bash
# backports-kernel.sh CACHE_DIR: print the path of a Debian bookworm-backports cloud kernel package
# (Linux 6.11 or later, for the atomic-write boot), downloading it into CACHE_DIR on first use with
# apt-get through a private source list (the system's own apt configuration is left alone). The mirror
# is the one the system's Debian sources name.  Needs root (apt-get download into CACHE_DIR).
set -euo pipefail
cache=$1
mkdir -p "$cache"
found=$(ls "$cache"/linux-image-6.1[1-9]*-cloud-amd64_*.deb "$cache"/linux-image-6.[2-9]*-cloud-amd64_*.deb 2>/dev/null | tail -1 || true)
if [ -n "$found" ]; then
    echo "$found"
    exit 0
fi
uri=
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    uri=$(awk '/^URIs:/ { u = $2 } /^Suites:/ && / bookworm( |$)/ { print u; exit }' /etc/apt/sources.list.d/debian.sources)
fi
if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list)
fi
[ -n "$uri" ] || { echo "no Debian bookworm source in the apt configuration" >&2; exit 1; }
apt_dir="$cache/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
echo "deb $uri bookworm-backports main" > "$apt_dir/sources.list"
opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
      -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o APT::Sandbox::User=root)
apt-get -q "${opts[@]}" update >&2
pkg=$(apt-cache "${opts[@]}" depends linux-image-cloud-amd64 | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
[ -n "$pkg" ] || { echo "bookworm-backports has no linux-image-cloud-amd64" >&2; exit 1; }
(cd "$cache" && apt-get -q "${opts[@]}" download "$pkg" >&2)
ls "$cache"/"$pkg"_*.deb
