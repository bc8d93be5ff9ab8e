#!/usr/bin/env bash
# Install the Debian data packages genlab reads (e.g. dataset-fashion-mnist) when they are missing.
# Uses apt-get directly as root, sudo otherwise; without either it says what to run and carries on,
# since the tests and commands that need the data say so themselves.
set -u
missing=()
for package in "$@"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "genlab: please install the data packages: sudo apt-get install ${missing[*]}" >&2
  exit 0
fi
echo "genlab: installing Debian packages ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! "${as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; then
  "${as_root[@]}" apt-get update -qq >/dev/null 2>&1
  "${as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null || {
    echo "genlab: could not install ${missing[*]}; install them by hand" >&2
    exit 0
  }
fi
