#!/bin/sh
# The Debian packages the tests need (fluidsynth and a General MIDI SoundFont for realistic stems,
# hydrogen's drum kits, iproute2/util-linux for the bridge's network tests), listed in
# .ci/apt-packages-*.txt. Installs the missing ones with apt-get (as root, or through sudo without a
# password prompt); otherwise says exactly what to run and fails. The README's test command runs this
# first, so that command works as written on a fresh Debian machine.
set -eu
cd "$(dirname "$0")/.."
pkgs=$(cat .ci/apt-packages*.txt | sed 's/#.*//' | tr -s ' \n' '  ')
if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "test-deps: this is not a Debian system (no dpkg-query); install the equivalents of:$pkgs" >&2
  exit 1
fi
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root="sudo -n"
else
  echo "test-deps: the tests need these Debian packages:$missing" >&2
  echo "test-deps: install them with: sudo apt-get install$missing" >&2
  exit 1
fi
echo "test-deps: installing$missing" >&2
$as_root apt-get update -qq
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
