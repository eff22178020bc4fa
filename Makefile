# Metamorphosis: the two commands a user needs, plus conveniences.
#
#   make demo    run the demo on embedded defaults (scripts/demo.sh)
#   make test    build everything and run the whole test suite (scripts/test.sh)
#
#   make check   the quick loop: the module layering check
#                (scripts/check-layering.sh), then build build/ and run the
#                unit tier (no servers)
#   make build   configure and build build/ (normal) only
#   make install install build/ under PREFIX (default /usr/local; sudo only
#                where it exists and is needed)
#   make fuzz    build and run the fuzzers only (MM_FUZZ_SECONDS, default 20)
#   make format  apply .clang-format to the C sources (format-check: report only)
#   make clean   remove the build directories
#
# Each target installs what it is missing (Debian 12) by itself.
.PHONY: demo test check build install fuzz format format-check clean

PREFIX ?= /usr/local

demo:
	@scripts/demo.sh

test:
	@scripts/test.sh

check:
	@scripts/check-layering.sh
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

# The C files under git (not build output); clang-format from Debian 12's
# clang-format package.
FORMAT_FILES = $(shell git ls-files 'src/*.[ch]' 'include/*.h' 'tests/*.[ch]' 'examples/*.[ch]' 'bench/*.[ch]')

format:
	@command -v clang-format >/dev/null || { echo "make format: apt-get install clang-format" >&2; exit 1; }
	clang-format -i $(FORMAT_FILES)

format-check:
	@command -v clang-format >/dev/null || { echo "make format-check: apt-get install clang-format" >&2; exit 1; }
	clang-format --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf build build-asan build-fuzz build-release
