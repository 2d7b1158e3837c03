// Linked into ConvScope's programs only when CONVSCOPE_SANITIZE is on: AddressSanitizer's built-in
// defaults for them, so an instrumented program is safe to run by hand as well as from
// scripts/test-sanitize (ASAN_OPTIONS from the environment still comes on top).
//
// intercept_tls_get_addr=0: the runtimes of GCC 12 and clang 14 record each dynamic TLS block (the
// thread-locals of a library loaded with dlopen; here Mesa's OpenGL driver) by reading its bounds from
// a header glibc stopped writing in 2.25. They assume that header whenever the block starts 16 bytes
// past a page boundary, which a block now does by chance; the bounds read are then garbage, and the
// leak check at exit crashes scanning them ("Tracer caught signal 11", and with log_threads=1 a line
// like "DTLS 13 at 0x000000001140-0x001800002242"). In the window tests that happened in about one run
// in three. Without the interceptor those blocks are not scanned for pointers at all, which costs
// nothing here: ConvScope keeps no heap pointers in a dlopen'ed library's thread-locals.
extern "C" const char* __asan_default_options() { return "intercept_tls_get_addr=0"; }
