#!/usr/bin/env bash
# Installs (as root) or lists (otherwise) the Debian packages that `make check` needs.
# Usage: scripts/deps.sh        -> installs what is missing, exit 0; or exit 1 naming what is missing
#        scripts/deps.sh --run  -> the same for what `make run` needs (a host C compiler and CMake)
set -u
who=check
if [ "${1:-}" = --run ]; then
  who=run
  PKGS=(cmake make gcc libc6-dev)
else
PKGS=(
  cmake make ninja-build gcc libc6-dev clang libcmocka-dev valgrind
  gcc-multilib libc6-dev-i386 libcmocka-dev:i386
  libclang-rt-14-dev
  gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi
  gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf
  qemu-system-arm qemu-system-misc qemu-system-x86
  qemu-user-static
  python3
)
# Extra packages named by modules (one per line) in scripts/deps.d/*.txt
for f in "$(dirname "$0")"/deps.d/*.txt; do
  [ -f "$f" ] || continue
  while read -r p; do [ -n "$p" ] && [ "${p#\#}" = "$p" ] && PKGS+=("$p"); done < "$f"
done
fi

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "$who: missing packages (run as root to install them): ${missing[*]}" >&2
  exit 1
fi
echo "$who: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if printf '%s\n' "${missing[@]}" | grep -q ':i386$'; then
  dpkg --print-foreign-architectures | grep -qx i386 || dpkg --add-architecture i386
fi
# A mirror in the middle of a sync can fail part of the update (seen here: the i386 indexes of a
# freshly added architecture), and the install then fails for want of them. So: update, install,
# and on failure update and install again, three times in all, before giving up.
for attempt in 1 2 3; do
  apt-get update -qq >/tmp/rtmem-apt-update.log 2>&1 || true
  if apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/rtmem-apt.log 2>&1; then
    exit 0
  fi
  echo "$who: apt-get install failed (attempt $attempt of 3)" >&2
  [ $attempt -lt 3 ] && sleep $((attempt * 10))
done
tail -20 /tmp/rtmem-apt-update.log /tmp/rtmem-apt.log >&2
echo "$who: apt-get install failed for: ${missing[*]}" >&2
exit 1
