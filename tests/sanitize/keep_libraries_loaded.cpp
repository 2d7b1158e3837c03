// Linked into ConvScope's programs only when CONVSCOPE_SANITIZE is on.
//
// LeakSanitizer checks for leaks at exit, after the system's OpenGL stack has unloaded its driver
// (Mesa's swrast_dri.so, dlclose'd by eglTerminate): a driver allocation still held then has no
// module to name, prints as "<unknown module>" and cannot be suppressed by library name, nor told
// apart from a leak elsewhere. Leaving every library mapped until exit keeps the reports readable
// and lets tests/sanitize/lsan.supp name the library. The programs export this dlclose (ENABLE_EXPORTS),
// so it takes precedence over libc's for every library in the process.
extern "C" int dlclose(void*) { return 0; }
