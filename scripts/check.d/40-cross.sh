#!/usr/bin/env bash
# Cross builds of the portable core: every src/*.c (globbed, so new modules are picked up) with
#   -std=c11 -Wall -Wextra -Werror -ffunction-sections -fdata-sections, at -Os and at -O2, for
#   m0plus   arm-none-eabi-gcc -mcpu=cortex-m0plus -mthumb
#   m4f      arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
#   m33      arm-none-eabi-gcc -mcpu=cortex-m33 -mthumb
#   rv32imac riscv64-unknown-elf-gcc -march=rv32imac_zicsr -mabi=ilp32 -ffreestanding
#            (-ffreestanding: the Debian RV32 toolchain ships no libc headers; gcc's own
#            <stdint.h> needs it to not look for one)
#   m4-clang clang --target=thumbv7em-none-eabi, Cortex-M4F, newlib's headers: the LLVM embedded
#            toolchains' compiler, whose warnings differ from GCC's (clang -Os once failed on an
#            unused static inline function that GCC and clang -O2 let pass)
# Then the Cortex-M port (port/cortex-m) with GCC and clang for M0+ to M55: its architecture
# macros per core, and a warning-free build of it for the cores the QEMU boards (step 60) do not run;
# and the FreeRTOS and Zephyr ports, against their host models' headers.
# Prints a code-size table (.text+.data+.bss of each object file, -Os) per target, then the
# good-fit core figure of issue 2: a Cortex-M4 -Os program whose entry calls only rtm_heap_init,
# rtm_heap_alloc and rtm_heap_free, linked with -nostdlib -nostartfiles -Wl,--gc-sections against
# the core as an archive; the figure is the bytes of every core function (and read-only data) the
# link keeps. memcpy/memset/memmove stubs and the entry are excluded. It is given for a good-fit-
# only build (RTM_HEAP_FITS=RTM_HEAP_FITS_GOOD, when heap.h has it) and for the default build
# with all three policies. The figure is reported, not asserted. The step fails iff a cross build
# (warnings are errors), a port check or the figure's link fails.
# Environment: RTM_CROSS_DIR (output directory, default build/cross), RTM_JOBS.
set -u
export LC_ALL=C
cd "$(dirname "$0")/../.."
out=${RTM_CROSS_DIR:-build/cross}
jobs=${RTM_JOBS:-$(nproc)}
rm -rf "$out"
mkdir -p "$out"

shopt -s nullglob
srcs=(src/*.c)
[ ${#srcs[@]} -gt 0 ] || { echo "cross: no src/*.c"; exit 1; }

targets=(m0plus m4f m33 rv32imac m4-clang)
declare -A CC=([m0plus]=arm-none-eabi-gcc [m4f]=arm-none-eabi-gcc [m33]=arm-none-eabi-gcc
               [rv32imac]=riscv64-unknown-elf-gcc [m4-clang]=clang)
declare -A SIZE=([m0plus]=arm-none-eabi-size [m4f]=arm-none-eabi-size [m33]=arm-none-eabi-size
                 [rv32imac]=riscv64-unknown-elf-size [m4-clang]=arm-none-eabi-size)
declare -A ARCH=([m0plus]="-mcpu=cortex-m0plus -mthumb"
                 [m4f]="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
                 [m33]="-mcpu=cortex-m33 -mthumb"
                 [rv32imac]="-march=rv32imac_zicsr -mabi=ilp32 -ffreestanding"
                 [m4-clang]="--target=thumbv7em-none-eabi -mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16 -ffreestanding -isystem /usr/lib/arm-none-eabi/include")
CFLAGS="-std=c11 -Wall -Wextra -Werror -ffunction-sections -fdata-sections -Iinclude -Isrc"

for t in "${targets[@]}"; do
  for tool in "${CC[$t]}" "${SIZE[$t]}"; do
    command -v "$tool" >/dev/null || { echo "cross: $tool not found (scripts/deps.sh installs it)"; exit 1; }
  done
done

# One line per compile job: target opt source. Each job writes its object and, on failure, a .err.
jobfile=$out/jobs.txt
: > "$jobfile"
for t in "${targets[@]}"; do
  for opt in Os O2; do
    mkdir -p "$out/$t-$opt"
    for s in "${srcs[@]}"; do echo "$t $opt $s" >> "$jobfile"; done
  done
done
compile_one() {
  local t=$1 opt=$2 s=$3 cc=$4 arch=$5
  local o="$out/$t-$opt/$(basename "$s" .c).o"
  # shellcheck disable=SC2086
  "$cc" $CFLAGS -$opt $arch -c "$s" -o "$o" > "$o.err" 2>&1 || { echo "$t -$opt $s" >> "$o.err"; return 1; }
  rm -f "$o.err"
}
export -f compile_one
export out CFLAGS
while read -r t opt s; do
  printf '%s\0%s\0%s\0%s\0%s\0' "$t" "$opt" "$s" "${CC[$t]}" "${ARCH[$t]}"
done < "$jobfile" | xargs -0 -n 5 -P "$jobs" bash -c 'compile_one "$@"' _ || true

errs=("$out"/*/*.err)
if [ ${#errs[@]} -gt 0 ]; then
  for e in "${errs[@]}"; do
    echo "cross: FAILED: $(tail -1 "$e")"
    head -n -1 "$e" | head -20
  done
  echo "cross: ${#errs[@]} compile(s) failed"
  exit 1
fi
echo "cross: ${#srcs[@]} core files x ${#targets[@]} targets x {-Os,-O2}: built warning-free"

# ---- the Cortex-M port's view of the architecture, with both compilers -------------------------
# The targets step (60) builds the port with GCC for its two boards only. Each compiler and core
# below must give the port's architecture macros their values (clang names ARMv8.1-M only
# __ARM_ARCH_8_1M_MAIN__, which the port once took for ARMv6-M: no threads, PMSAv7 register values
# for a PMSAv8 MPU), and the cores the boards do not cover must build the whole port warning-free.
# cc, flags, RTM_CM_MAINLINE, RTM_CM_PMSAV8, whole port too (1)
CLANG_ARM="-ffreestanding -isystem /usr/lib/arm-none-eabi/include"
port_cases=(
  "arm-none-eabi-gcc|-mcpu=cortex-m0plus -mthumb|0|0|0"
  "arm-none-eabi-gcc|-mcpu=cortex-m4 -mthumb|1|0|0"
  "arm-none-eabi-gcc|-mcpu=cortex-m23 -mthumb|0|1|1"
  "arm-none-eabi-gcc|-mcpu=cortex-m33 -mthumb|1|1|0"
  "arm-none-eabi-gcc|-mcpu=cortex-m55 -mthumb|1|1|1"
  "clang|--target=thumbv7em-none-eabi -mcpu=cortex-m4 $CLANG_ARM|1|0|1"
  "clang|--target=thumbv8m.main-none-eabi -mcpu=cortex-m33 $CLANG_ARM|1|1|1"
  "clang|--target=thumbv8.1m.main-none-eabi -mcpu=cortex-m55 -mfloat-abi=hard $CLANG_ARM|1|1|1"
)
port_bad=0
for c in "${port_cases[@]}"; do
  IFS='|' read -r pcc pflags pmain pv8 pwhole <<<"$c"
  # shellcheck disable=SC2086
  if ! printf '#include "rtm_cortex_m.h"\n_Static_assert(RTM_CM_MAINLINE == %s && RTM_CM_PMSAV8 == %s, "MAINLINE %s PMSAV8 %s");\n' \
         "$pmain" "$pv8" "$pmain" "$pv8" | "$pcc" $CFLAGS -Iport/cortex-m $pflags -Os -x c -c - -o /dev/null 2>"$out/port.err"; then
    echo "cross: FAILED: the Cortex-M port's architecture macros with $pcc $pflags:"; head -5 "$out/port.err"; port_bad=1
  fi
  [ "$pwhole" = 1 ] || continue
  for f in port/cortex-m/*.c; do
    # shellcheck disable=SC2086
    "$pcc" $CFLAGS -Iport/cortex-m $pflags -Os -c "$f" -o "$out/port.o" 2>"$out/port.err" ||
      { echo "cross: FAILED: $f with $pcc $pflags:"; head -10 "$out/port.err"; port_bad=1; }
  done
done
# a BASEPRI critical section at level 0 would mask nothing: refused at compile time
# (by its own assertion, not by any other error)
if arm-none-eabi-gcc $CFLAGS -Iport/cortex-m -mcpu=cortex-m4 -mthumb -DRTM_CM_USE_BASEPRI=1 -DRTM_CM_BASEPRI=0 -Os \
     -c port/cortex-m/port_cortex_m.c -o "$out/port.o" 2>"$out/port.err" ||
   ! grep -q "RTM_CM_BASEPRI must be a priority" "$out/port.err"; then
  echo "cross: FAILED: port/cortex-m/port_cortex_m.c with RTM_CM_USE_BASEPRI=1 RTM_CM_BASEPRI=0: not refused by its assertion"
  head -5 "$out/port.err"; port_bad=1
fi
[ $port_bad = 0 ] || exit 1
echo "cross: Cortex-M port: architecture macros right with ${#port_cases[@]} compiler / core pairs (GCC and clang, M0+ to M55), built warning-free where the boards do not build it"

# ---- the FreeRTOS port (port/freertos) -----------------------------------------------------------
# The RTOS ports' configuration checks, for Cortex-M4 -Os: port_builds SRC INCLUDES FLAGS... must
# compile; port_refuses SRC INCLUDES PATTERN FLAGS... must fail with PATTERN among its errors (a
# size assertion, an #error on a kernel option). One each for both ports, which had a copy per check.
port_builds() {
  local src=$1 inc=$2; shift 2
  # shellcheck disable=SC2086
  arm-none-eabi-gcc $CFLAGS $inc -mcpu=cortex-m4 -mthumb -Os "$@" -c "$src" -o "$out/port_cfg.o" 2>"$out/port.err" ||
    { echo "cross: FAILED: $src with $*: does not build"; head -5 "$out/port.err"; port_bad=1; }
}
port_refuses() {
  local src=$1 inc=$2 pat=$3; shift 3
  # shellcheck disable=SC2086
  if arm-none-eabi-gcc $CFLAGS $inc -mcpu=cortex-m4 -mthumb -Os "$@" -c "$src" -o "$out/port_cfg.o" 2>"$out/port.err" ||
     ! grep -q "$pat" "$out/port.err"; then
    echo "cross: FAILED: $src with $*: not refused ('$pat')"; head -5 "$out/port.err"; port_bad=1
  fi
}
# No FreeRTOS tree here: the port is compiled against the host model's headers
# (tests/port/freertos_model/*.h), which are declarations only (FreeRTOS's names, the types of the
# 32-bit Cortex-M ports, a StaticSemaphore_t of the size of FreeRTOS 10.4's on a 32-bit port), for
# M0+ and M4 with GCC and for M4 with clang, warning-free at -Os and -O2. That checks the port's C
# and its size assertion at the 32-bit figure (the 24 words of RTM_PORT_SYNC_WORDS; 22 must fail: 23
# words still make 96 bytes, rtm_port_sync being aligned to 8), not FreeRTOS's own headers or kernel (docs/porting.md).
frt_cases=(
  "arm-none-eabi-gcc|-mcpu=cortex-m0plus -mthumb"
  "arm-none-eabi-gcc|-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
  "clang|--target=thumbv7em-none-eabi -mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16 $CLANG_ARM"
)
FRT_INC="-Iport/freertos -Itests/port/freertos_model"
for c in "${frt_cases[@]}"; do
  IFS='|' read -r pcc pflags <<<"$c"
  for opt in Os O2; do
    # shellcheck disable=SC2086
    "$pcc" $CFLAGS $FRT_INC $pflags -$opt -c port/freertos/port_freertos.c -o "$out/port_freertos.o" 2>"$out/port.err" ||
      { echo "cross: FAILED: port/freertos/port_freertos.c with $pcc $pflags -$opt:"; head -10 "$out/port.err"; port_bad=1; }
    # On Cortex-M the port reads IPSR itself: FreeRTOS's ARM_CM0 port has no xPortIsInsideInterrupt
    # before 10.6.0 (rtm_freertos.h), so the object must not need it (the model's headers declare it)
    if arm-none-eabi-nm "$out/port_freertos.o" 2>/dev/null | grep -q ' U xPortIsInsideInterrupt$'; then
      echo "cross: FAILED: port/freertos/port_freertos.c with $pcc $pflags -$opt calls xPortIsInsideInterrupt"; port_bad=1
    fi
  done
done
port_refuses port/freertos/port_freertos.c "$FRT_INC" "RTM_PORT_SYNC_WORDS too small for the FreeRTOS port" \
  -DRTM_PORT_SYNC_WORDS=22
# The kernel options it asks for are the ones task.h compiles the functions in with: the scheduler
# state with configUSE_TIMERS instead of its INCLUDE_ option is accepted (and so is no
# INCLUDE_xTaskGetCurrentTaskHandle: configUSE_MUTEXES gives it), neither of the two is refused.
port_builds port/freertos/port_freertos.c "$FRT_INC" -DINCLUDE_xTaskGetSchedulerState=0 -DconfigUSE_TIMERS=1 \
  -DINCLUDE_xTaskGetCurrentTaskHandle=0
port_refuses port/freertos/port_freertos.c "$FRT_INC" "needs INCLUDE_xTaskGetSchedulerState 1" \
  -DINCLUDE_xTaskGetSchedulerState=0
[ $port_bad = 0 ] || exit 1
echo "cross: FreeRTOS port: built warning-free against the model's headers (${#frt_cases[@]} compiler / core pairs, -Os and -O2); 22 words refused"

# ---- the Zephyr port (port/zephyr) ---------------------------------------------------------------
# No Zephyr tree here either: the port is compiled against the host model's <zephyr/kernel.h>
# (tests/port/zephyr_model/, declarations and Zephyr's inline time conversions; struct k_mutex with
# the fields of a 32-bit build with a dlist wait queue), for M0+ and M4 with GCC and clang, at -Os
# and -O2, warning-free, with absolute (CONFIG_TIMEOUT_64BIT) and with 32-bit relative timeouts.
# That checks the port's C and its size assertion (8 words needed: 7 still make 32 bytes, rtm_port_sync
# being aligned to 8, so 6 must fail), not Zephyr's own headers or kernel (docs/porting.md).
zep_cases=(
  "arm-none-eabi-gcc|-mcpu=cortex-m0plus -mthumb"
  "arm-none-eabi-gcc|-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
  "clang|--target=thumbv6m-none-eabi -mcpu=cortex-m0plus $CLANG_ARM"
  "clang|--target=thumbv7em-none-eabi -mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16 $CLANG_ARM"
)
ZEP_INC="-Iport/zephyr -Itests/port/zephyr_model"
for c in "${zep_cases[@]}"; do
  IFS='|' read -r pcc pflags <<<"$c"
  for opt in Os O2; do
    for tmo in "" "-DRTM_ZMODEL_TIMEOUT_32BIT=1 -DCONFIG_SYS_CLOCK_TICKS_PER_SEC=128"; do
      # shellcheck disable=SC2086
      "$pcc" $CFLAGS $ZEP_INC $pflags $tmo -$opt -c port/zephyr/port_zephyr.c -o "$out/port_zephyr.o" 2>"$out/port.err" ||
        { echo "cross: FAILED: port/zephyr/port_zephyr.c with $pcc $pflags $tmo -$opt:"; head -10 "$out/port.err"; port_bad=1; }
    done
  done
done
port_refuses port/zephyr/port_zephyr.c "$ZEP_INC" "RTM_PORT_SYNC_WORDS too small for the Zephyr port" -DRTM_PORT_SYNC_WORDS=6
port_builds port/zephyr/port_zephyr.c "$ZEP_INC" -DRTM_PORT_SYNC_WORDS=8 # the size it needs
[ $port_bad = 0 ] || exit 1
echo "cross: Zephyr port: built warning-free against the model's headers (${#zep_cases[@]} compiler / core pairs, -Os and -O2, absolute and relative timeouts); 6 words refused, 8 enough"

# ---- size table --------------------------------------------------------------------------------
# size(1) Berkeley format: text (code + rodata), data, bss, dec = their sum.
obj_bytes() { "$1" "$2" | awk 'NR==2 {print $4}'; }
for opt in Os O2; do
  echo
  echo "code size, bytes of .text+.data+.bss per object (-$opt):"
  printf '  %-22s' module; for t in "${targets[@]}"; do printf ' %9s' "$t"; done; echo
  declare -A total=()
  for s in "${srcs[@]}"; do
    m=$(basename "$s" .c)
    printf '  %-22s' "$m"
    for t in "${targets[@]}"; do
      b=$(obj_bytes "${SIZE[$t]}" "$out/$t-$opt/$m.o")
      total[$t]=$(( ${total[$t]:-0} + b ))
      printf ' %9s' "$b"
    done
    echo
  done
  printf '  %-22s' total; for t in "${targets[@]}"; do printf ' %9s' "${total[$t]}"; done; echo
  unset total
done

# ---- good-fit core figure (Cortex-M4, -Os, --gc-sections) -------------------------------------
# figure ID NAME "EXTRA CFLAGS" VERBOSE: compiles the core again with the extra flags, links the entry
# below against it as an archive and sums what the link keeps of the core.
fig_entry() {
  cat <<'CEOF'
/* Generated by scripts/check.d/40-cross.sh: a program that uses only init + alloc + free. */
#include "rtmem/heap.h"

void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *dd = d;
    const unsigned char *ss = s;
    while (n--) *dd++ = *ss++;
    return d;
}
void *memmove(void *d, const void *s, size_t n) { return memcpy(d, s, n); }
void *memset(void *d, int c, size_t n)
{
    unsigned char *dd = d;
    while (n--) *dd++ = (unsigned char)c;
    return d;
}

static unsigned char arena[8192] __attribute__((aligned(8)));
void *volatile rtm_fig_sink;
void rtm_fig_entry(void);
void rtm_fig_entry(void)
{
    rtm_heap *h = rtm_heap_init(arena, sizeof arena, RTM_FIT_GOOD);
    void *p = rtm_heap_alloc(h, 100);
    rtm_fig_sink = p;
    rtm_heap_free(h, p);
    for (;;) {
    }
}
CEOF
}
m4arch=${ARCH[m4f]}
figure() {
  local id=$1 name=$2 extra=$3 verbose=$4
  local fig=$out/figure-$id
  mkdir -p "$fig/obj"
  fig_entry > "$fig/entry.c"
  local s
  for s in "${srcs[@]}"; do
    # shellcheck disable=SC2086
    arm-none-eabi-gcc $CFLAGS -Os $m4arch $extra -c "$s" -o "$fig/obj/$(basename "$s" .c).o" \
      || { echo "cross: figure ($name): $s failed to compile"; return 1; }
  done
  # shellcheck disable=SC2086
  arm-none-eabi-gcc $CFLAGS -Os $m4arch $extra -ffreestanding -fno-tree-loop-distribute-patterns \
      -c "$fig/entry.c" -o "$fig/entry.o" || { echo "cross: figure entry failed to compile"; return 1; }
  rm -f "$fig/libcore.a"
  arm-none-eabi-ar rcs "$fig/libcore.a" "$fig"/obj/*.o
  # shellcheck disable=SC2086
  arm-none-eabi-gcc $m4arch -Os -nostdlib -nostartfiles -Wl,--gc-sections -Wl,-e,rtm_fig_entry \
      -Wl,-Map="$fig/figure.map" "$fig/entry.o" "$fig/libcore.a" -lgcc -o "$fig/figure.elf" \
      > "$fig/link.log" 2>&1 || { echo "cross: figure ($name) link FAILED:"; cat "$fig/link.log"; return 1; }
  # Attribute every symbol the link kept to the core object that defines it.
  local o
  for o in "$fig"/obj/*.o; do
    arm-none-eabi-nm --defined-only "$o" | awk -v m="$(basename "$o" .o)" 'NF==3 {print $3, m}'
  done | sort -u -k1,1 > "$fig/owners.txt"
  arm-none-eabi-nm -S -t d --size-sort --defined-only "$fig/figure.elf" \
    | awk 'NF==4 {print $4, $2 + 0, $3}' | sort -k1,1 > "$fig/kept.txt"
  join "$fig/kept.txt" "$fig/owners.txt" > "$fig/core.txt" || true
  local code rodata ram other
  code=$(awk '$3 ~ /^[tTwW]$/ {s += $2} END {print s + 0}' "$fig/core.txt")
  rodata=$(awk '$3 ~ /^[rR]$/ {s += $2} END {print s + 0}' "$fig/core.txt")
  ram=$(awk '$3 ~ /^[dDbB]$/ {s += $2} END {print s + 0}' "$fig/core.txt")
  other=$(awk '$3 ~ /^[tT]$/ {print $1}' "$fig/kept.txt" | join -v1 - <(cut -d' ' -f1 "$fig/owners.txt") \
          | grep -v -E '^(memcpy|memset|memmove|rtm_fig_entry)$' | tr '\n' ' ')
  if [ "$verbose" = 1 ]; then
    echo "  functions kept by the link:"
    awk '$3 ~ /^[tTwW]$/ {printf "    %-36s %5d  %s.c\n", $1, $2, $4}' "$fig/core.txt" | sort -k2,2nr
  fi
  echo "  $name: $code bytes of code (+ $rodata bytes read-only data = $((code + rodata))); static RAM $ram bytes"
  [ -z "$other" ] || echo "    also linked, not counted (libgcc): $other"
}
echo
echo "good-fit core figure (init + alloc + free; Cortex-M4, -Os, --gc-sections; memcpy/memset stubs" \
     "and the entry excluded); target < 1000 bytes (o1heap 608, Zephyr 940-1,396, TLSF 1,285):"
rc=0
if grep -q RTM_HEAP_FITS_GOOD include/rtmem/heap.h; then
  figure good "good fit only (-DRTM_HEAP_FITS=RTM_HEAP_FITS_GOOD)" "-DRTM_HEAP_FITS=RTM_HEAP_FITS_GOOD" 1 || rc=1
  figure all "all three policies compiled in (default)" "" 0 || rc=1
  # Pointers trusted by free (heap.h: RTM_HEAP_VALIDATE=0, as TLSF and o1heap): what the O(1)
  # validation costs in code.
  figure trust "good fit only, pointers trusted (-DRTM_HEAP_VALIDATE=0)" \
    "-DRTM_HEAP_FITS=RTM_HEAP_FITS_GOOD -DRTM_HEAP_VALIDATE=0" 0 || rc=1
else
  figure default "default build" "" 1 || rc=1
fi
exit $rc
