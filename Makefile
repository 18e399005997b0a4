# Thin front end over CMake; see README.md.
.PHONY: run check bench fuzz build clean

JOBS ?= $(shell nproc)

# A machine without CMake or a C compiler gets them first (Debian, as root; scripts/deps.sh --run).
build:
	@command -v cmake >/dev/null && command -v cc >/dev/null || bash scripts/deps.sh --run
	cmake -S . -B build/run -DCMAKE_BUILD_TYPE=Release -DRTM_BUILD_TESTS=OFF >/dev/null
	cmake --build build/run -j $(JOBS) --target rtmem_cli

run: build
	./build/run/rtmem demo

check:
	bash scripts/check.sh

bench:
	bash scripts/bench.sh

fuzz:
	RTM_CHECK_ONLY=50 RTM_FUZZ_SECONDS=$${RTM_FUZZ_SECONDS:-300} bash scripts/check.sh

clean:
	rm -rf build
