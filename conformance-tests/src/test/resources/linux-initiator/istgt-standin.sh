#!/usr/bin/env bash
# Stand-in target for developing the Linux-initiator suite without our server:
# istgt (Debian package "istgt") with N file LUNs kept in DIR, so that a
# restart (the fault boot) serves the same files.  Runs in the foreground until
# SIGTERM.
#   usage: istgt-standin.sh PORT IQN DIR [NLUNS [SIZE_MIB]]
set -euo pipefail
PORT=$1 IQN=$2 DIR=$3 NLUNS=${4:-3} SIZE_MIB=${5:-64}
command -v istgt >/dev/null || { echo "istgt-standin: istgt not found (apt-get install istgt)" >&2; exit 2; }
mkdir -p "$DIR"
work=$(mktemp -d "$DIR/istgt.XXXXXX")
luns=
for ((i = 0; i < NLUNS; i++)); do
    [ -f "$DIR/lun$i.img" ] || truncate -s "${SIZE_MIB}M" "$DIR/lun$i.img"
    luns+="  LUN$i Storage $DIR/lun$i.img ${SIZE_MIB}MB"$'\n'
done
: > "$work/auth.conf"
cat > "$work/istgt.conf" <<CONF
[Global]
  NodeBase "${IQN%%:*}"
  PidFile $work/istgt.pid
  AuthFile $work/auth.conf
  MediaDirectory $DIR
  LogFacility "local7"
  Timeout 30
  NopInInterval 20
  DiscoveryAuthMethod None
  MaxSessions 16
  MaxConnections 4
  MaxR2T 32
  MaxOutstandingR2T 16
  DefaultTime2Wait 2
  DefaultTime2Retain 60
  FirstBurstLength 262144
  MaxBurstLength 1048576
  MaxRecvDataSegmentLength 262144
  InitialR2T Yes
  ImmediateData Yes
  DataPDUInOrder Yes
  DataSequenceInOrder Yes
  ErrorRecoveryLevel 0
[UnitControl]
  AuthMethod None
[PortalGroup1]
  Portal DA1 127.0.0.1:$PORT
[InitiatorGroup1]
  InitiatorName "ALL"
  Netmask 127.0.0.0/8
[LogicalUnit1]
  TargetName $IQN
  Mapping PortalGroup1 InitiatorGroup1
  AuthMethod None
  UseDigest Auto
  UnitType Disk
  QueueDepth 32
$luns
CONF
echo "istgt-standin: $IQN on 127.0.0.1:$PORT, $NLUNS LUNs of $SIZE_MIB MiB in $DIR"
# exec: a SIGKILL of this process is a SIGKILL of the target itself
exec istgt -D -c "$work/istgt.conf"
