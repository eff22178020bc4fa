# Metamorphosis: the two commands a user needs, plus conveniences.
#
#   make demo    run the demo on embedded defaults (scripts/demo.sh)
#   make test    build everything and run the whole test suite (scripts/test.sh)
#
#   make build   configure and build build/ (normal) only
#   make fuzz    build and run the fuzzers only (MM_FUZZ_SECONDS, default 20)
#   make clean   remove the build directories
#
# Each target installs what it is missing (Debian 12) by itself.
.PHONY: demo test build fuzz clean

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

clean:
	rm -rf build build-asan build-fuzz
