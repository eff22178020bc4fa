# Metamorphosis: the two commands a user needs, plus conveniences.
#
#   make demo    run the demo on embedded defaults (scripts/demo.sh)
#   make test    build everything and run the whole test suite (scripts/test.sh)
#
#   make check   the quick loop: build build/, run the unit tier (no servers)
#   make build   configure and build build/ (normal) only
#   make install install build/ under PREFIX (default /usr/local; sudo only
#                where it exists and is needed)
#   make fuzz    build and run the fuzzers only (MM_FUZZ_SECONDS, default 20)
#   make clean   remove the build directories
#
# Each target installs what it is missing (Debian 12) by itself.
.PHONY: demo test check build install fuzz clean

PREFIX ?= /usr/local

demo:
	@scripts/demo.sh

test:
	@scripts/test.sh

check:
	@scripts/check.sh

build:
	@scripts/setup.sh demo
	cmake -S . -B build -G Ninja -DMM_WERROR=ON
	cmake --build build

# Writing to PREFIX may need root: use sudo when it exists and we are not root
# and PREFIX is not writable; otherwise install as is.
install: build
	@if [ -w "$(PREFIX)" ] || [ ! -e "$(PREFIX)" -a -w "$$(dirname "$(PREFIX)")" ] || [ "$$(id -u)" = 0 ] || ! command -v sudo >/dev/null; then \
		cmake --install build --prefix "$(PREFIX)"; \
	else \
		sudo cmake --install build --prefix "$(PREFIX)"; \
	fi

fuzz:
	@scripts/fuzz.sh

clean:
	rm -rf build build-asan build-fuzz build-release
