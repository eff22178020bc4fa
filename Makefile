# Metamorphosis: the two commands a user needs, plus conveniences.
#
#   make demo    run the demo on embedded defaults (scripts/demo.sh)
#   make test    build everything and run the whole test suite (scripts/test.sh)
#
#   make build   configure and build build/ (normal) only
#   make fuzz    build and run the fuzzers only (MM_FUZZ_SECONDS, default 20)
#   make check   the static checks: module layering (scripts/check-layering.sh)
#   make format  apply .clang-format to the C sources (format-check: report only)
#   make clean   remove the build directories
#
# Each target installs what it is missing (Debian 12) by itself.
.PHONY: demo test build fuzz check format format-check clean

demo:
	@scripts/demo.sh

test:
	@scripts/test.sh

build:
	@scripts/setup.sh
	cmake -S . -B build -G Ninja -DMM_WERROR=ON
	cmake --build build

fuzz:
	@scripts/fuzz.sh

check:
	@scripts/check-layering.sh

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
	rm -rf build build-asan build-fuzz
