#!/usr/bin/env bash
# Install the real tools the test suite drives, from Debian packages, when they are missing.
# A test never passes silently because a tool is absent: this script fails loudly instead.
set -euo pipefail

need=()
# Each entry: a file whose presence proves the tool is installed, then the Debian package providing it.
check() { [ -e "$1" ] || need+=("$2"); }
check /usr/bin/promtool prometheus
check /usr/bin/chromium chromium
check /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc fonts-noto-cjk

[ ${#need[@]} -eq 0 ] && exit 0
echo "system-deps: installing ${need[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# Debian's prometheus package would start a server on :9090; forbid service starts during the install.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod +x "$policy" && made_policy=1
fi
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
[ "$made_policy" -eq 1 ] && $sudo rm -f "$policy"
for f in /usr/bin/promtool /usr/bin/chromium; do
  [ -x "$f" ] || { echo "system-deps: $f still missing after install" >&2; exit 1; }
done
