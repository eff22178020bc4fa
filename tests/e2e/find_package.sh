#!/usr/bin/env bash
# find_package.sh -- the CMake path of docs/tutorial.md, as tutorial.sh is
# the pkg-config one: installs the build into a scratch prefix, configures a
# tiny consumer project outside the repository with find_package(metamorphosis)
# and builds
#   - a service module against metamorphosis::service, which the installed
#     gregor loads (`gregor schema --app`),
#   - a program against metamorphosis::metamorphosis (the shared library) and
#     one against metamorphosis::static, which check the version macros
#     against mm_version() and define a service through the public API.
set -euo pipefail
: "${MM_SOURCE_DIR:?run through ctest}" "${MM_BINARY_DIR:?run through ctest}"
source "$(dirname "$0")/lib/prologue.sh"
e2e_work_dir

cmake --install "$MM_BINARY_DIR" --prefix "$work/prefix" >/dev/null
config=$(find "$work/prefix" -name metamorphosisConfig.cmake | head -n1)
[ -n "$config" ] || fail "no metamorphosisConfig.cmake installed"

mkdir "$work/consumer"
cd "$work/consumer"
cat >CMakeLists.txt <<'CMAKE'
cmake_minimum_required(VERSION 3.20)
project(consumer C)
find_package(metamorphosis 0.1 REQUIRED)
add_library(hello MODULE hello.c)
set_target_properties(hello PROPERTIES PREFIX "")
target_link_libraries(hello PRIVATE metamorphosis::service)
add_executable(use_shared use_api.c)
target_link_libraries(use_shared PRIVATE metamorphosis::metamorphosis)
add_executable(use_static use_api.c)
target_link_libraries(use_static PRIVATE metamorphosis::static)
CMAKE
cat >hello.c <<'C'
#include <metamorphosis.h>
mm_service *metamorphosis_service(void) {
    mm_service *s = mm_service_new("hello");
    if (s && mm_service_add_sdl(s, "type Query { hello: String }") != 0) {
        mm_service_free(s);
        return NULL;
    }
    return s;
}
C
cat >use_api.c <<'C'
#include <stdio.h>
#include <string.h>
#include <metamorphosis.h>
#if MM_VERSION_NUM != ((MM_VERSION_MAJOR << 24) | (MM_VERSION_MINOR << 16) | (MM_VERSION_PATCH << 8))
#error "MM_VERSION_NUM does not match MM_VERSION_MAJOR/MINOR/PATCH"
#endif
int main(void) {
    if (strcmp(mm_version(), MM_VERSION_STRING) != 0) {
        fprintf(stderr, "library %s, header %s\n", mm_version(), MM_VERSION_STRING);
        return 1;
    }
    mm_service *s = mm_service_new("api");
    int rc = s ? mm_service_add_sdl(s, "type Query { x: Int }") : MM_ENOMEM;
    printf("%s %s %d\n", mm_version(), s ? mm_service_name(s) : "-", rc);
    mm_service_free(s);
    return rc == 0 ? 0 : 1;
}
C
flags=()
# The tests build with sanitizers; what links the library must match it.
# (grep -c, not grep -q: under pipefail an early exit would fail nm with SIGPIPE)
if [ "$(nm -D "$work/prefix/bin/gregor" 2>/dev/null | grep -c __asan_init)" -gt 0 ]; then
    flags=(-DCMAKE_C_FLAGS=-fsanitize=address,undefined -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined
           -DCMAKE_MODULE_LINKER_FLAGS=-fsanitize=address,undefined)
fi
cmake -S . -B build -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" "${flags[@]}" >cmake.log 2>&1 \
    || { cat cmake.log >&2; fail "find_package(metamorphosis) did not configure"; }
cmake --build build >build.log 2>&1 || { cat build.log >&2; fail "the consumer project did not build"; }

# ldd's output is captured first: `ldd | grep -q` under pipefail fails at
# random when grep exits on its match before ldd has written everything
# (ldd then dies of SIGPIPE), which is how this check once failed in CI.
shared_libs=$(ldd build/use_shared)
grep -q "$work/prefix/.*libmetamorphosis.so" <<<"$shared_libs" \
    || fail "use_shared does not load the installed libmetamorphosis.so: $shared_libs"
static_libs=$(ldd build/use_static)
! grep -q libmetamorphosis.so <<<"$static_libs" || fail "use_static links the shared library"
for p in use_shared use_static; do
    out=$(build/$p) || fail "$p failed: $out"
    [ "$out" = "0.1.0 api 0" ] || fail "$p printed: $out"
done
schema=$("$work/prefix/bin/gregor" schema --app ./build/hello.so) || fail "gregor could not load hello.so: $schema"
grep -qF 'hello: String' <<<"$schema" || fail "gregor's schema lacks the service's field: $schema"
echo "find_package.sh: find_package(metamorphosis) builds a service, a shared and a static program"
